using System.Diagnostics.Metrics;

namespace Integrator.Core.Remittance;

/// <summary>
/// What an operator watches on reconciliation (meter <c>Integrator.Remittance</c>): statements by status, the age of the
/// oldest statement not yet reconciled and accepted, and calls to Google by method and outcome. Counts are refreshed by
/// the job.
/// </summary>
public sealed class RemittanceMetrics
{
    public const string MeterName = "Integrator.Remittance";

    private readonly Counter<long> _calls;
    private readonly TimeProvider _time;
    private StatementStats _stats = new();

    public RemittanceMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>("integrator.remittance.calls", description: "Calls to Google's remittance methods, by method and outcome.");
        meter.CreateObservableGauge("integrator.remittance.statements", Statements, description: "Statements, by status.");
        meter.CreateObservableGauge(
            "integrator.remittance.oldest_unreconciled_age", OldestUnreconciledAgeSeconds, "s", "Age of the oldest statement not yet reconciled and accepted.");
    }

    public void Update(StatementStats stats) => Volatile.Write(ref _stats, stats);

    public void RecordCall(string method, bool ok) =>
        _calls.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "failed"));

    private IEnumerable<Measurement<long>> Statements()
    {
        var stats = Volatile.Read(ref _stats);
        yield return new(stats.Received, new KeyValuePair<string, object?>("status", StatementStatus.Received.Wire));
        yield return new(stats.Matched, new KeyValuePair<string, object?>("status", StatementStatus.Matched.Wire));
        yield return new(stats.Discrepancy, new KeyValuePair<string, object?>("status", StatementStatus.Discrepancy.Wire));
        yield return new(stats.Accepted, new KeyValuePair<string, object?>("status", StatementStatus.Accepted.Wire));
    }

    private double OldestUnreconciledAgeSeconds() =>
        Volatile.Read(ref _stats).OldestUnreconciledReceivedAt is { } oldest
            ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds)
            : 0;
}
