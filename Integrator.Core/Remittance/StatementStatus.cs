using Integrator.Core.Storage;

namespace Integrator.Core.Remittance;

/// <summary>
/// Where a statement is: RECEIVED (to reconcile), MATCHED or DISCREPANCY (reconciled), ACCEPTED (Google confirmed
/// acceptRemittanceStatement). A statement is due for the job while its next_attempt_at is set.
/// </summary>
public readonly record struct StatementStatus : IWireValue<StatementStatus>
{
    public static readonly StatementStatus Received = new("RECEIVED");
    public static readonly StatementStatus Matched = new("MATCHED");
    public static readonly StatementStatus Discrepancy = new("DISCREPANCY");
    public static readonly StatementStatus Accepted = new("ACCEPTED");

    private StatementStatus(string wire) => Wire = wire;

    public string Wire { get; }

    public static IReadOnlyList<StatementStatus> All { get; } = [Received, Matched, Discrepancy, Accepted];

    public override string ToString() => Wire;
}
