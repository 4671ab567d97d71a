using Integrator.Core.Backend;
using Integrator.Core.Notifications;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: it can serve Google — the database answers, every migration is
/// applied, the message keys are loaded, and the notification dispatcher (where it runs) is not stalled; a remote
/// account back end that does not answer makes it Degraded (still 200). Neither needs
/// a key, and neither says more than each check's name and status: no configuration, no exception text.
/// </summary>
internal static class Readiness
{
    private const string Ready = "ready";

    public static IServiceCollection AddReadiness(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready])
            .AddCheck<KeysCheck>("message-keys", tags: [Ready])
            .AddCheck<DispatcherCheck>("notification-dispatcher", tags: [Ready])
            .AddCheck<BackendCheck>("account-backend", tags: [Ready]);
        return services;
    }

    public static void MapReadiness(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        });
    }

    private sealed class DatabaseCheck(Migrator migrator) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await migrator.IsCurrentAsync(cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("migrations pending");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("database unreachable");
            }
        }
    }

    /// <summary>The codec is built from the keyring at startup; resolving it proves the keys loaded.</summary>
    private sealed class KeysCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                _ = services.GetRequiredService<IMessageCodec>();
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception e) when (e is InvalidOperationException or OptionsValidationException or IOException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("keys not loaded"));
            }
        }
    }

    /// <summary>A remote back end that does not answer degrades readiness, never fails it: replays and 503s still reach Google.</summary>
    private sealed class BackendCheck(BackendMetrics metrics, IOptions<BackendOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(options.Value.IsRemote && metrics.Degraded(options.Value.StuckAfter) is { } reason
                ? HealthCheckResult.Degraded(reason)
                : HealthCheckResult.Healthy());
    }

    /// <summary>Stalled: on, started, and no round for longer than a round can take (poll, one send, shutdown grace).</summary>
    private sealed class DispatcherCheck(NotificationDispatcher dispatcher, IOptions<NotificationOptions> options, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var o = options.Value;
            var limit = o.PollInterval + (2 * o.HttpTimeout) + o.ShutdownGrace + TimeSpan.FromSeconds(30);
            return Task.FromResult(
                o.Enabled && dispatcher.LastRound is { } last && time.GetUtcNow() - last > limit
                    ? HealthCheckResult.Unhealthy("dispatcher stalled")
                    : HealthCheckResult.Healthy());
        }
    }
}
