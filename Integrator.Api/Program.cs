using System.CommandLine;
using Integrator.Api.Cli;
using Integrator.Api.Gsp;
using Integrator.Api.Support;
using Integrator.Core;
using Microsoft.AspNetCore.Authentication;

if (args is ["keygen", ..])
{
    return new RootCommand("Integrator tools") { KeygenCommand.Create() }.Parse(args).Invoke();
}

// Options are validated once at start, so a changed appsettings file is not reloaded; without a watcher the default
// SQLite database under the content root does not wake a recursive file watcher on every WAL write.
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);

builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(GoogleTls.Apply));
builder.Services.AddIntegratorCore();
builder.Services.AddControllers();
builder.Services.ConfigureOptions<GspRoutes>();
builder.Services.AddProblemDetails();
builder.Services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
// With one scheme registered, ASP.NET Core would make it the default and run it on every request (WebApplication adds
// the authentication middleware by itself); only the support policy, which names the scheme, is to use it.
AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, SupportApiKey>(SupportApiKey.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SupportApiKey.Policy, policy => policy.AddAuthenticationSchemes(SupportApiKey.SchemeName).RequireAuthenticatedUser());
builder.Services.AddSupportOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
// Empty error answers of the support API (415, 405, unknown routes) become problem details too; Google's routes keep
// their plain 404 for unknown methods.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/support"), support => support.UseStatusCodePages());
// The support policy names its scheme, so only support endpoints authenticate; Google's calls, authenticated by their
// signed payload, skip it.
app.UseAuthorization();
app.MapControllers();
app.MapOpenApi("/support/{documentName}/openapi.json").RequireAuthorization(SupportApiKey.Policy);
app.Run();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
