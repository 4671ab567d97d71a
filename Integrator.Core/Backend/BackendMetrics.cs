using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Integrator.Core.Backend;

/// <summary>
/// The back end as an operator watches it (meter <c>Integrator.Backend</c>): attempts by kind, operation and outcome,
/// their latency, the commands still open and how old the oldest one is.
/// </summary>
public sealed class BackendMetrics
{
    public const string MeterName = "Integrator.Backend";

    private readonly Counter<long> _attempts;
    private readonly Counter<long> _resolved;
    private readonly Histogram<double> _latency;
    private readonly TimeProvider _time;
    private CommandStats _stats = new();
    private long _lastAnswered;
    private long _lastUnanswered;

    public BackendMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _attempts = meter.CreateCounter<long>("integrator.backend.attempts", description: "Attempts at the back end, by command kind, operation and outcome.");
        _resolved = meter.CreateCounter<long>("integrator.backend.commands", description: "Commands resolved, by kind and final state (a REFUSED release: the hold was captured outside Integrator).");
        _latency = meter.CreateHistogram<double>("integrator.backend.duration", "ms", "Time the back end took to answer an attempt, by command kind.");
        meter.CreateObservableGauge("integrator.backend.open_commands", () => Volatile.Read(ref _stats).Open, description: "Commands whose outcome is not known yet.");
        meter.CreateObservableGauge(
            "integrator.backend.oldest_open_age",
            () => Volatile.Read(ref _stats).OldestOpenCreatedAt is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0,
            "s",
            "How long the oldest open command has waited for its outcome.");
    }

    public void Record(CommandKind kind, string operation, BackendResult result)
    {
        var tags = new TagList { { "kind", kind.Wire }, { "operation", operation }, { "outcome", result.Verdict.ToString() } };
        _attempts.Add(1, tags);
        var now = _time.GetUtcNow().UtcTicks;
        if (result.Verdict == BackendVerdict.Unknown)
        {
            Volatile.Write(ref _lastUnanswered, now);
        }
        else
        {
            Volatile.Write(ref _lastAnswered, now);
        }

        _latency.Record(result.LatencyMs, new KeyValuePair<string, object?>("kind", kind.Wire));
    }

    public void Resolved(CommandKind kind, CommandState state) =>
        _resolved.Add(1, new KeyValuePair<string, object?>("kind", kind.Wire), new KeyValuePair<string, object?>("state", state.Wire));

    public void Update(CommandStats stats) => Volatile.Write(ref _stats, stats);

    /// <summary>
    /// Why readiness reports the back end degraded (never failing: Google still gets answers, replays and 503s), or
    /// null: its last attempt got no answer, or a command has waited longer than <paramref name="stuckAfter"/>.
    /// </summary>
    public string? Degraded(TimeSpan stuckAfter) =>
        Volatile.Read(ref _lastUnanswered) > Volatile.Read(ref _lastAnswered) ? "the back end did not answer its last attempt"
        : Volatile.Read(ref _stats).OldestOpenCreatedAt is { } oldest && _time.GetUtcNow() - oldest > stuckAfter ? "commands unconfirmed for longer than Backend:StuckAfter"
        : null;
}
