namespace Integrator.Api.Support;

public sealed record RecoverRequest(DateTimeOffset? Since, DateTimeOffset? Until, string? Reason);
