using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Notifications;

/// <summary>
/// Delivers the outbox: claims due rows with a lease, sends them concurrently, and records every attempt with what it
/// means for the row (delivered, retried later, or DEAD past the horizon). Several instances may run one each against
/// one database. On shutdown, sends in flight get <c>Notifications:ShutdownGrace</c> to finish; then they are cancelled
/// and every lease this dispatcher still holds is released, so nothing waits for a lease to expire.
/// </summary>
public sealed partial class NotificationDispatcher(
    NotificationStore store,
    GoogleNotificationSender sender,
    NotificationMetrics metrics,
    Database database,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(5);

    private readonly NotificationOptions _options = options.Value;
    private long? _statsRefreshedAt;

    /// <summary>When the loop last came round (null before it started, or when the dispatcher is off): readiness.</summary>
    public DateTimeOffset? LastRound { get; private set; }

    /// <summary>Names this dispatcher in leases and attempts.</summary>
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Ids.New()[^8..]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var sends = new CancellationTokenSource();
        await using var graceOnStop = stoppingToken.Register(() => sends.CancelAfter(_options.ShutdownGrace));
        LogStarted(logger, Id);
        while (!stoppingToken.IsCancellationRequested)
        {
            LastRound = time.GetUtcNow();
            var claimed = 0;
            try
            {
                claimed = await DispatchOnceAsync(sends.Token, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A fault here must not stop the host (and with it the Google-facing API); the rows stay in the outbox.
                LogLoopFault(logger, e);
            }

            if (claimed < _options.BatchSize)
            {
                await Delay(_options.PollInterval, stoppingToken);
            }
        }

        try
        {
            var released = await store.ReleaseLeasesAsync(Id, CancellationToken.None);
            LogStopped(logger, Id, released);
        }
        catch (Exception e) when (database.Classify(e) != StorageFault.None)
        {
            LogStorageFault(logger, "release its leases", e.Message);
        }
    }

    private async Task<int> DispatchOnceAsync(CancellationToken sends, CancellationToken stoppingToken)
    {
        var claimed = await ClaimAsync(stoppingToken);
        if (claimed.Count > 0)
        {
            await Task.WhenAll(claimed.Select(n => DeliverAsync(n, sends)));
        }

        await RefreshStatsAsync(force: claimed.Count > 0, stoppingToken);
        return claimed.Count;
    }

    private async Task<IReadOnlyList<ClaimedNotification>> ClaimAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        try
        {
            return await store.ClaimDueAsync(Id, _options.BatchSize, now, now + _options.Lease, stoppingToken);
        }
        catch (Exception e) when (database.Classify(e) != StorageFault.None)
        {
            LogStorageFault(logger, "claim notifications", e.Message);
            return [];
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return [];
        }
    }

    private async Task DeliverAsync(ClaimedNotification notification, CancellationToken ct)
    {
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(notification, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // shutting down: the lease is released and the row sent again later
        }

        metrics.RecordAttempt(outcome);
        var now = time.GetUtcNow();
        var attempts = notification.AttemptCount + 1;
        var next = outcome.Delivered ? null : _options.NextAttemptAt(attempts, notification.CreatedAt, now, Random.Shared.NextDouble());
        try
        {
            await store.RecordAttemptAsync(
                new DeliveryAttempt(notification.NotificationId, Id, now, outcome.HttpStatus, outcome.LatencyMs, outcome.Delivered, outcome.Error, next),
                CancellationToken.None);
        }
        catch (Exception e) when (database.Classify(e) != StorageFault.None)
        {
            // The lease expires and the row is sent again: a duplicate Google de-duplicates by requestId.
            LogStorageFault(logger, "record an attempt", e.Message);
            return;
        }

        if (outcome.Delivered)
        {
            LogDelivered(logger, notification.NotificationId, attempts, outcome.LatencyMs);
        }
        else if (next is null)
        {
            LogDead(logger, notification.NotificationId, attempts, outcome.Error);
        }
        else
        {
            LogRetry(logger, notification.NotificationId, attempts, outcome.Error, next.Value);
        }
    }

    /// <summary>Row counts for the gauges: after every round that sent something, and every few seconds when idle.</summary>
    private async Task RefreshStatsAsync(bool force, CancellationToken ct)
    {
        if (!force && _statsRefreshedAt is { } last && time.GetElapsedTime(last) < StatsInterval)
        {
            return;
        }

        _statsRefreshedAt = time.GetTimestamp();
        try
        {
            metrics.Update(await store.StatsAsync(ct));
        }
        catch (Exception e) when (database.Classify(e) != StorageFault.None)
        {
            LogStorageFault(logger, "count notifications", e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Notification dispatcher {Dispatcher} started")]
    private static partial void LogStarted(ILogger logger, string dispatcher);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Notification dispatcher {Dispatcher} stopped; released {Released} leases")]
    private static partial void LogStopped(ILogger logger, string dispatcher, int released);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Notification {NotificationId} delivered on attempt {Attempt} in {LatencyMs} ms")]
    private static partial void LogDelivered(ILogger logger, string notificationId, long attempt, long latencyMs);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Notification {NotificationId} attempt {Attempt} failed ({Error}); next attempt at {NextAttempt:O}")]
    private static partial void LogRetry(ILogger logger, string notificationId, long attempt, string? error, DateTimeOffset nextAttempt);

    [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "Notification {NotificationId} is DEAD after {Attempt} attempts ({Error}); support can re-arm it")]
    private static partial void LogDead(ILogger logger, string notificationId, long attempt, string? error);

    [LoggerMessage(EventId = 506, Level = LogLevel.Error, Message = "Notification dispatcher fault; it carries on at the next poll")]
    private static partial void LogLoopFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Notification dispatcher could not {Action}: {Reason}")]
    private static partial void LogStorageFault(ILogger logger, string action, string reason);
}
