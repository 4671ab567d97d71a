namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// One money movement the stand-in core made: a hold placed, released (or its pending release confirmed), captured, or
/// a refund made — where effects are counted, so a test sees exactly-once from the core's side.
/// </summary>
public sealed record StandInEffect(DateTimeOffset At, string Kind, string Id, string? IdempotencyKey, string AccountId, long AmountMicros);
