using System.Diagnostics.Metrics;

namespace Integrator.Core.Notifications;

/// <summary>
/// What an operator watches on the outbox (meter <c>Integrator.Notifications</c>): pending rows, the age of the oldest
/// one, DEAD rows, attempts by outcome and send latency. Row counts are refreshed by the dispatcher.
/// </summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "Integrator.Notifications";

    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _sendDuration;
    private readonly TimeProvider _time;
    private NotificationStats _stats = new();

    public NotificationMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _attempts = meter.CreateCounter<long>("integrator.notifications.attempts", description: "Delivery attempts, by outcome.");
        _sendDuration = meter.CreateHistogram<double>("integrator.notifications.send_duration", "ms", "Duration of one delivery attempt.");
        meter.CreateObservableGauge("integrator.notifications.pending", () => Volatile.Read(ref _stats).Pending, description: "Rows waiting for delivery.");
        meter.CreateObservableGauge("integrator.notifications.dead", () => Volatile.Read(ref _stats).Dead, description: "Rows that gave up; support can re-arm them.");
        meter.CreateObservableGauge("integrator.notifications.oldest_pending_age", OldestPendingAgeSeconds, "s", "Age of the oldest row waiting for delivery.");
    }

    public void Update(NotificationStats stats) => Volatile.Write(ref _stats, stats);

    public void RecordAttempt(SendOutcome outcome)
    {
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Delivered ? "delivered" : "failed"));
        _sendDuration.Record(outcome.LatencyMs);
    }

    private double OldestPendingAgeSeconds() =>
        Volatile.Read(ref _stats).OldestPendingCreatedAt is { } oldest
            ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds)
            : 0;
}
