using Integrator.Core;
using Integrator.Core.Notifications;
using Integrator.Core.Pipeline;
using Integrator.Core.Remittance;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Integrator.Api.Hosting;

/// <summary>
/// OpenTelemetry, off unless an OTLP endpoint is configured by the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// or its <c>_TRACES_</c> / <c>_METRICS_</c> forms; protocol, headers and service name by the other <c>OTEL_*</c>
/// variables): Integrator's meters and traces, ASP.NET Core's and HttpClient's, exported over OTLP.
/// </summary>
internal static class OpenTelemetrySetup
{
    private static readonly string[] Endpoints =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    public static void AddIntegratorTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!Endpoints.Any(e => !string.IsNullOrWhiteSpace(configuration[e])))
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("integrator"))
            .WithMetrics(metrics => metrics
                .AddMeter(GspMetrics.MeterName, NotificationMetrics.MeterName, RemittanceMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddSource(Telemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
    }
}
