namespace Integrator.Api.Support;

public sealed record ReasonRequest(string? Reason);
