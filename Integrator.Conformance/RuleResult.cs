namespace Integrator.Conformance;

/// <summary>
/// One rule's row of the report: the methods it was checked on, its verdict and reason, and the check's exchanges
/// (the first <see cref="Conformance.ExchangesKept"/>; <see cref="ExchangesOmitted"/> more were not kept).
/// </summary>
public sealed record RuleResult(
    string Rule, IReadOnlyList<string> Methods, RuleOutcome Outcome, string Reason, IReadOnlyList<Exchange> Exchanges, int ExchangesOmitted);
