namespace Integrator.Conformance;

/// <summary>A token and the amount to reserve with it (for a decline: an amount that triggers it).</summary>
public sealed record TestAccount(string GooglePaymentToken, long AmountMicros);
