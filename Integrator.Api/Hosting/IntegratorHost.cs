using Integrator.Api.Gsp;
using Integrator.Api.Support;
using Integrator.Api.SupportConsole;
using Integrator.Core.Composition;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>
/// The server around the features: configuration, logging and Kestrel's bounds, the host's own services (development
/// safety, forwarded clients, readiness, telemetry), and a start that reports every problem of the configuration at
/// once on stderr (<see cref="StartupErrors"/>) before anything is touched.
/// </summary>
public static class IntegratorHost
{
    /// <summary>Whether the host has started: a failed start is reported once, by us, not logged again with a stack by the host.</summary>
    private static volatile bool s_started;

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Options are validated once at start, so a changed appsettings file is not reloaded; without a watcher the
        // default SQLite database under the content root does not wake a recursive file watcher on every WAL write.
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
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (s_started || level < LogLevel.Error));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.UseGoogleTls();
            // Bounds for a flood: no body here is larger than a megabyte (Google's are held to Gsp:MaxRequestBytes and
            // Gsp:BodyReadTimeout), and a client that trickles its headers or body (under 1 KiB/s after 2 s) is dropped.
            kestrel.Limits.MaxConcurrentConnections ??= 10_000;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(1024, TimeSpan.FromSeconds(2));
        });

        // With one scheme registered, ASP.NET Core would make it the default and run it on every request (WebApplication
        // adds the authentication middleware by itself); only the policies that name a scheme are to use one. Google's
        // calls, authenticated by their signed payload, use none.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);

        // First hosted service: nothing starts while a Development convenience is in force where it must not be.
        builder.Services.AddHostedService<DevelopmentSafety>();
        builder.Services.AddForwardedClients();
        builder.Services.AddReadiness();
        builder.Services.AddIntegratorTelemetry(builder.Configuration);
        return builder;
    }

    /// <summary>Builds the app with the features' pipeline (<paramref name="features"/>), checks it, starts it and runs it.</summary>
    /// <returns>The process's exit code: 0, or <see cref="StartupErrors.ExitCode"/> when the start was refused.</returns>
    public static int Run(WebApplicationBuilder builder, Action<WebApplication> features)
    {
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
            features(app);
            app.MapReadiness();
            Validate(app);
            app.Start();
        }
        catch (Exception e) when (e is not HostAbortedException && !IsTestServer(app))
        {
            return StartupErrors.Report(e);
        }

        s_started = true;
        StartupLog.Notices(app.Services, app.Environment, app.Logger);
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>
    /// Every problem at once: unknown keys, values that do not convert or lie out of range, each options type's own
    /// validation (a type whose values do not convert cannot be bound, so it is skipped), and a port already taken.
    /// </summary>
    private static void Validate(WebApplication app)
    {
        var sections = IntegratorServices.Sections
            .Concat([(SupportOptions.Section, typeof(SupportOptions)), (ConsoleOptions.Section, typeof(ConsoleOptions)), (ProxyOptions.Section, typeof(ProxyOptions))])
            .ToList();
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

        if (!IsTestServer(app))
        {
            problems.AddRange(ListenAddresses.Taken(app.Configuration).Select(Exception (taken) => new InvalidOperationException(taken)));
        }

        if (problems.Count > 0)
        {
            throw new AggregateException(problems);
        }

        app.Services.GetService<IStartupValidator>()?.Validate(); // whatever else registered ValidateOnStart
    }

    private static bool IsTestServer(WebApplication? app) => app?.Services.GetService<IServer>()?.GetType().Name == "TestServer";

    // `dotnet run` takes Properties/launchSettings.json, which names Development here rather than setting
    // ASPNETCORE_ENVIRONMENT, so that an environment the operator sets (variable or --environment) always wins.
    private static string? LaunchProfileEnvironment(string[] args) =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is null
        && Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null
        && !args.Any(a => a.StartsWith("--environment", StringComparison.OrdinalIgnoreCase))
            ? Environment.GetEnvironmentVariable("INTEGRATOR_LAUNCH_ENVIRONMENT")
            : null;
}
