namespace Integrator.Core.Backend.StandIn;

/// <summary>A call the stand-in core received, as its page shows it (status 0: the answer was lost on purpose).</summary>
public sealed record StandInCall(DateTimeOffset At, string Method, string Path, string? IdempotencyKey, int Status, string? Fault);
