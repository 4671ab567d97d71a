namespace Integrator.Core.Backend.StandIn;

/// <summary>A call to the stand-in core, whatever carried it (the in-process handler, <c>/dev/core/api</c>, a test's listener).</summary>
/// <param name="Path">The path after the contract's prefix, e.g. <c>/holds/abc/release</c>, still URL-encoded.</param>
public sealed record StandInRequest(string Method, string Path, string? Query, string? Authorization, string? IdempotencyKey, byte[] Body);
