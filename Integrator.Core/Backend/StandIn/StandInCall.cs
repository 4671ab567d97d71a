namespace Integrator.Core.Backend.StandIn;

/// <summary>A call a stand-in received, as its page shows it (status 0: the answer was lost on purpose).</summary>
public sealed record StandInCall(DateTimeOffset At, string Method, string Path, string? IdempotencyKey, int Status, string? Fault)
{
    /// <summary>What was sent, for the tests to read field by field.</summary>
    public string? Body { get; init; }
}
