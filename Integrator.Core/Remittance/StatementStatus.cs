namespace Integrator.Core.Remittance;

/// <summary>
/// Where a statement is: RECEIVED (to reconcile), MATCHED or DISCREPANCY (reconciled), ACCEPTED (Google confirmed
/// acceptRemittanceStatement). A statement is due for the job while its next_attempt_at is set.
/// </summary>
public static class StatementStatus
{
    public const string Received = "RECEIVED";
    public const string Matched = "MATCHED";
    public const string Discrepancy = "DISCREPANCY";
    public const string Accepted = "ACCEPTED";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Received, Matched, Discrepancy, Accepted };
}
