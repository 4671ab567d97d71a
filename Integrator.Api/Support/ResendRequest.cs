namespace Integrator.Api.Support;

public sealed record ResendRequest(bool Force, string? Reason);
