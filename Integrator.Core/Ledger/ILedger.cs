using Integrator.Core.Storage;

namespace Integrator.Core.Ledger;

public enum AccountStatus
{
    Active,
    OnHold,
    Closed,
}

/// <summary>An account as reserveFunds sees it; <see cref="AvailableMicros"/> = balance − active holds.</summary>
public sealed record LedgerAccount(
    string AccountId,
    string CurrencyCode,
    AccountStatus Status,
    long? TransactionLimitMicros,
    long AvailableMicros);

/// <summary>
/// The customer ledger behind reserve, capture, cancel and refund. The embedded <see cref="SqlLedger"/> keeps accounts and holds
/// in Integrator's own database; an integrator can put its core banking system here instead. Every call runs inside
/// the caller's transaction, so a hold changes exactly when the reservation does.
/// </summary>
public interface ILedger
{
    Task<LedgerAccount?> FindByPaymentTokenAsync(DbTx tx, string googlePaymentToken, CancellationToken ct);

    /// <summary>Holds the amount if the account still has it available; false means insufficient funds.</summary>
    Task<bool> TryPlaceHoldAsync(DbTx tx, string accountId, long amountMicros, long nowMillis, CancellationToken ct);

    Task ReleaseHoldAsync(DbTx tx, string accountId, long amountMicros, long nowMillis, CancellationToken ct);

    /// <summary>Releases the whole hold and debits the (possibly smaller) captured amount.</summary>
    Task CaptureAsync(DbTx tx, string accountId, long heldMicros, long capturedMicros, long nowMillis, CancellationToken ct);

    Task<LedgerAccount?> FindAsync(DbTx tx, string accountId, CancellationToken ct);

    /// <summary>Credits a refund of a capture back to the account.</summary>
    Task CreditRefundAsync(DbTx tx, string accountId, long amountMicros, long nowMillis, CancellationToken ct);

    /// <summary>The accounts <paramref name="customerId"/> holds, in <paramref name="currencyCode"/> (the redirect page's choice).</summary>
    Task<IReadOnlyList<LedgerAccount>> FindHeldByAsync(string customerId, string currencyCode, CancellationToken ct);

    /// <summary>
    /// Binds a payment token, known by its SHA-256 (tokens are bearer secrets, never kept in the clear), to an account.
    /// True when it is now bound to that account, also if it already was; false if it is bound to another one.
    /// </summary>
    Task<bool> TryBindPaymentTokenAsync(DbTx tx, string tokenSha256, string accountId, CancellationToken ct);
}
