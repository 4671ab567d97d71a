using System.CommandLine;
using Integrator.Api.Backend;
using Integrator.Api.Cli;
using Integrator.Api.Gsp;
using Integrator.Api.Hosting;
using Integrator.Api.Redirect;
using Integrator.Api.Support;
using Integrator.Api.SupportConsole;
using Integrator.Core.Composition;

if (args is ["keygen", ..])
{
    return new RootCommand("Integrator tools") { KeygenCommand.Create() }.Parse(args).Invoke();
}

if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.Out.WriteLine(Usage.Text);
    return 0;
}

var builder = IntegratorHost.CreateBuilder(args);
builder.Services.AddIntegratorCore();
builder.Services.AddGoogleRoutes();
builder.Services.AddSupportApi();
builder.Services.AddSupportConsole(builder.Configuration, builder.Environment);
builder.Services.AddRedirectPage(builder.Configuration);

return IntegratorHost.Run(builder, app =>
{
    app.UseSupportApi();
    app.UseSupportConsole();
    app.UseStaticFiles();
    app.UseAuthorization();
    app.MapControllers();
    app.MapRazorPages();
    app.MapSupportApi();
    app.MapBackendRoutes();
});

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
