namespace Integrator.Core.Ledger;

/// <summary>Why an account cannot take a charge or a credit (<see cref="LedgerAccount.RefusalFor"/>); None when it can.</summary>
public enum AccountRefusal
{
    None,
    Closed,
    OnHold,
    OverLimit,
    InsufficientFunds,
}
