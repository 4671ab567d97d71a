namespace Integrator.Core.Gsp;

/// <summary>GSP's idempotency key: the header requestId scoped by the paymentIntegratorAccountId.</summary>
public readonly record struct IdempotencyKey(string AccountId, string RequestId);
