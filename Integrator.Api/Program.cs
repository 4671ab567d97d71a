using System.CommandLine;
using Integrator.Api.Cli;
using Integrator.Api.Gsp;
using Integrator.Api.Hosting;
using Integrator.Api.Redirect;
using Integrator.Api.Support;
using Integrator.Api.SupportConsole;
using Integrator.Core.Composition;
using Integrator.Core.Redirect;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

if (args is ["keygen", ..])
{
    return new RootCommand("Integrator tools") { KeygenCommand.Create() }.Parse(args).Invoke();
}

if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.Out.WriteLine(Usage.Text);
    return 0;
}

// Options are validated once at start, so a changed appsettings file is not reloaded; without a watcher the default
// SQLite database under the content root does not wake a recursive file watcher on every WAL write.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
    EnvironmentName = LaunchProfileEnvironment(args),
});
if (ListenAddresses.From(builder.Configuration).Count == 0)
{
    builder.Configuration["urls"] = ListenAddresses.Default;
}

SupportEndpoints.AddTo(builder.Configuration);

// A failed start is reported once, as lines naming what is wrong (StartupErrors); the host would log it with a stack.
var started = false;
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (started || level < LogLevel.Error));

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ConfigureHttpsDefaults(GoogleTls.Apply);
    // Bounds for a flood: no body here is larger than a megabyte (Google's are held to Gsp:MaxRequestBytes and
    // Gsp:BodyReadTimeout), and a client that trickles its headers or body (under 1 KiB/s after 2 s) is dropped.
    kestrel.Limits.MaxConcurrentConnections ??= 10_000;
    kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
    kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
    kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(1024, TimeSpan.FromSeconds(2));
});
builder.Services.AddSingleton<GspConcurrency>();
builder.Services.AddForwardedClients();
// First hosted service: nothing starts while a Development convenience is in force where it must not be.
builder.Services.AddHostedService<DevelopmentSafety>();
builder.Services.AddIntegratorCore();
builder.Services.AddControllers();
builder.Services.ConfigureOptions<GspRoutes>();
builder.Services.AddProblemDetails();
builder.Services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
// With one scheme registered, ASP.NET Core would make it the default and run it on every request (WebApplication adds
// the authentication middleware by itself); only the support policy, which names the scheme, is to use it.
AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
builder.Services.AddSingleton<SupportKeys>();
builder.Services.AddSingleton<FailedKeyThrottle>();
builder.Services.AddSingleton<SignInThrottle>();
builder.Services.AddAuthentication()
    .AddScheme<AuthenticationSchemeOptions, SupportApiKey>(SupportApiKey.SchemeName, null)
    .AddConsoleCookie()
    .AddRedirectCookie();
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SupportApiKey.Policy, policy => policy.AddAuthenticationSchemes(SupportApiKey.SchemeName).RequireAuthenticatedUser())
    .AddPolicy(SupportApiKey.OperatorPolicy, policy => policy.AddAuthenticationSchemes(SupportApiKey.SchemeName).RequireRole(nameof(SupportRole.Operator)))
    .AddPolicy(ConsoleAuth.Policy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireAuthenticatedUser())
    .AddPolicy(ConsoleAuth.OperatorPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireRole(nameof(SupportRole.Operator)));
builder.Services.AddRazorPages(pages =>
{
    // The console's pages live in SupportConsole/, each with its route under /console; all but sign-in need a session.
    pages.RootDirectory = "/";
    pages.Conventions.AuthorizeFolder("/SupportConsole", ConsoleAuth.Policy);
    pages.Conventions.AllowAnonymousToPage("/SupportConsole/SignIn");
    pages.Conventions.AllowAnonymousToPage("/SupportConsole/Denied");
    // The customers' redirect page (Redirect/) is where Redirect:Path says, and nowhere else.
    pages.Conventions.AddPageRouteModelConvention("/Redirect/Redirect", page =>
    {
        foreach (var selector in page.Selectors)
        {
            selector.AttributeRouteModel!.Template = builder.Configuration[$"{RedirectOptions.Section}:{nameof(RedirectOptions.Path)}"]?.TrimStart('/')
                ?? new RedirectOptions().Path.TrimStart('/');
        }
    });
});
// Each folder of pages keeps its layout and partials in its own Shared/.
builder.Services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(razor =>
{
    razor.PageViewLocationFormats.Add("/SupportConsole/Shared/{0}.cshtml");
    razor.PageViewLocationFormats.Add("/Redirect/Shared/{0}.cshtml");
});
builder.Services.AddConsoleKeys(builder.Configuration, builder.Environment);
builder.Services.AddSupportOpenApi();
builder.Services.AddReadiness();
builder.Services.AddIntegratorTelemetry(builder.Configuration);

// The in-memory test host reports a failed start to the test; a real process reports it on stderr and exits.
WebApplication? app = null;
try
{
    app = builder.Build();
    app.UseForwardedClients();
    // A body over Kestrel's limit (413), a client that trickles it (408): their own status, not a 500.
    app.UseExceptionHandler(new ExceptionHandlerOptions
    {
        StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    });
    app.UseSupportEndpoints(app.Configuration);
    // Empty error answers of the support API (415, 405, unknown routes) become problem details too; Google's routes
    // keep their plain 404 for unknown methods.
    app.UseWhen(context => context.Request.Path.StartsWithSegments("/support"), support => support.UseStatusCodePages());
    // The support policy names its scheme, so only support endpoints authenticate; Google's calls, authenticated by
    // their signed payload, skip it.
    app.UseConsoleHeaders();
    app.UseStaticFiles();
    app.UseAuthorization();
    app.MapControllers();
    app.MapRazorPages();
    app.MapReadiness();
    app.MapOpenApi("/support/{documentName}/openapi.json").RequireAuthorization(SupportApiKey.Policy);

    // Every problem at once: unknown keys, values that do not convert or lie out of range, then each options type's
    // own validation (a type whose values do not convert cannot be bound, so it is skipped).
    var sections = IntegratorServices.Sections.Concat([(SupportOptions.Section, typeof(SupportOptions)), (ProxyOptions.Section, typeof(ProxyOptions))]).ToList();
    var problems = IntegratorSettings.Problems(app.Configuration, sections, out var unconvertible)
        .Select(Exception (problem) => new InvalidOperationException(problem))
        .ToList();
    foreach (var (_, type) in sections.Where(s => !unconvertible.Contains(s.Section)))
    {
        var options = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(type));
        try
        {
            _ = options.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(options);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is OptionsValidationException invalid)
        {
            problems.Add(invalid);
        }
    }

    if (app.Services.GetService<IServer>()?.GetType().Name != "TestServer")
    {
        problems.AddRange(ListenAddresses.Taken(app.Configuration).Select(Exception (taken) => new InvalidOperationException(taken)));
    }
    if (problems.Count == 0)
    {
        app.Services.GetService<IStartupValidator>()?.Validate(); // whatever else registered ValidateOnStart
    }

    if (problems.Count > 0)
    {
        throw new AggregateException(problems);
    }

    app.Start();
}
catch (Exception e) when (e is not HostAbortedException && app?.Services.GetService<IServer>()?.GetType().Name != "TestServer")
{
    return StartupErrors.Report(e);
}

started = true;
StartupLog.Notices(app.Services, app.Environment, app.Logger);
app.WaitForShutdown();
return 0;

// `dotnet run` takes Properties/launchSettings.json, which names Development here rather than setting
// ASPNETCORE_ENVIRONMENT, so that an environment the operator sets (variable or --environment) always wins.
static string? LaunchProfileEnvironment(string[] args) =>
    Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is null
    && Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null
    && !args.Any(a => a.StartsWith("--environment", StringComparison.OrdinalIgnoreCase))
        ? Environment.GetEnvironmentVariable("INTEGRATOR_LAUNCH_ENVIRONMENT")
        : null;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
