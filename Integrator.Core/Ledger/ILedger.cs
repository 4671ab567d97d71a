using Integrator.Core.Storage;

namespace Integrator.Core.Ledger;

/// <summary>
/// An account as the methods see it; <see cref="AvailableMicros"/> = balance − active holds. Read straight from its
/// row (the status by its wire name), or from the remote back end's answer.
/// </summary>
public sealed record LedgerAccount
{
    public required string AccountId { get; init; }

    public required string CurrencyCode { get; init; }

    public AccountStatus Status { get; init; }

    public long? TransactionLimitMicros { get; init; }

    /// <summary>What can still be held; null when the back end does not say (a card: its issuer decides at the payment).</summary>
    public long? AvailableMicros { get; init; }

    /// <summary>How the customer knows the account, when it is not its id (a card: "Visa •••• 4242").</summary>
    public string? Label { get; init; }

    /// <summary>Who holds it, as the back end names them, when that is not the customer's id here (a Mollie customer).</summary>
    public string? Holder { get; init; }

    /// <summary>
    /// The one account rule, in its order: a closed or held account refuses anything; a charge must be within the
    /// transaction limit and the available balance. Each method maps the answer to its own codes.
    /// </summary>
    public AccountRefusal RefusalFor(long? chargeMicros) =>
        Status == AccountStatus.Closed ? AccountRefusal.Closed
        : Status == AccountStatus.OnHold ? AccountRefusal.OnHold
        : chargeMicros > TransactionLimitMicros ? AccountRefusal.OverLimit
        : chargeMicros > AvailableMicros ? AccountRefusal.InsufficientFunds
        : AccountRefusal.None;
}

/// <summary>
/// The customer ledger behind reserve, capture, cancel and refund. The embedded <see cref="SqlLedger"/> keeps accounts and holds
/// in Integrator's own database; an integrator can put its core banking system here instead. Every call runs inside
/// the caller's transaction, so a hold changes exactly when the reservation does.
/// </summary>
public interface ILedger
{
    Task<LedgerAccount?> FindByPaymentTokenAsync(DbTx tx, string googlePaymentToken, CancellationToken ct);

    /// <summary>Holds the amount if the account still has it available; false means insufficient funds.</summary>
    Task<bool> TryPlaceHoldAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct);

    Task ReleaseHoldAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct);

    /// <summary>Releases the whole hold and debits the (possibly smaller) captured amount.</summary>
    Task CaptureAsync(DbTx tx, string accountId, long heldMicros, long capturedMicros, DateTimeOffset now, CancellationToken ct);

    Task<LedgerAccount?> FindAsync(DbTx tx, string accountId, CancellationToken ct);

    /// <summary>A read outside any transaction (the console).</summary>
    Task<LedgerAccount?> FindAsync(string accountId, CancellationToken ct);

    /// <summary>Credits a refund of a capture back to the account.</summary>
    Task CreditRefundAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct);

    /// <summary>The accounts <paramref name="customerId"/> holds, in <paramref name="currencyCode"/> (the redirect page's choice).</summary>
    Task<IReadOnlyList<LedgerAccount>> FindHeldByAsync(string customerId, string currencyCode, CancellationToken ct);

    /// <summary>
    /// Binds a payment token, known by its SHA-256 (tokens are bearer secrets, never kept in the clear), to an account.
    /// True when it is now bound to that account, also if it already was; false if it is bound to another one. An
    /// account of a remote back end that Integrator has not met yet is recorded by its id and currency (its money stays
    /// the back end's).
    /// </summary>
    Task<bool> TryBindPaymentTokenAsync(DbTx tx, string tokenSha256, LedgerAccount account, DateTimeOffset now, CancellationToken ct);
}
