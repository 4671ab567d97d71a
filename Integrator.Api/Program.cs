using System.CommandLine;
using Integrator.Api.Cli;
using Integrator.Api.Gsp;
using Integrator.Core;

if (args is ["keygen", ..])
{
    return new RootCommand("Integrator tools") { KeygenCommand.Create() }.Parse(args).Invoke();
}

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddIntegratorCore();
builder.Services.AddControllers();
builder.Services.ConfigureOptions<GspRoutes>();

var app = builder.Build();
app.MapControllers();
app.Run();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
