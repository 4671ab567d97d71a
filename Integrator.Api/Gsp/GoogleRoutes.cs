using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Integrator.Api.Gsp;

/// <summary>The Google-facing routes and what they need of the server: their concurrency limits, base path and TLS.</summary>
public static class GoogleRoutes
{
    public static IServiceCollection AddGoogleRoutes(this IServiceCollection services)
    {
        services.AddSingleton<GspConcurrency>();
        services.AddControllers();
        services.ConfigureOptions<GspRoutes>();
        return services;
    }

    /// <summary>Every HTTPS endpoint offers TLS 1.2 with the suites Google accepts (SECURITY.md "TLS").</summary>
    public static void UseGoogleTls(this KestrelServerOptions kestrel) => kestrel.ConfigureHttpsDefaults(GoogleTls.Apply);
}
