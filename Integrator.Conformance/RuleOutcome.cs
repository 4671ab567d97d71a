namespace Integrator.Conformance;

/// <summary>A rule's verdict: it held, the target broke it, or it could not be checked here (the reason says why).</summary>
public enum RuleOutcome
{
    Pass,
    Fail,
    Skip,
}
