using Integrator.Api.Gsp;
using Integrator.Core;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddIntegratorCore();
builder.Services.AddControllers();
builder.Services.ConfigureOptions<GspRoutes>();

var app = builder.Build();
app.MapControllers();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
