using Integrator.Core.Ledger;
using Integrator.Core.Storage;

namespace Integrator.Core.Backend;

/// <summary>
/// A remote back end's protocol (the Http contract, Mollie): how a command is sent with its key, how the state of a
/// hold is read back, and what the back end says of an account. Every answer is a <see cref="BackendResult"/>; a
/// connector never throws for what the back end does.
/// </summary>
public interface IBackendConnector
{
    /// <summary>Sends the command with its key (again, if need be: the back end de-duplicates by it).</summary>
    Task<BackendResult> SendAsync(BackendCommand command, CancellationToken ct);

    /// <summary>Reads back where the command's hold stands (a release awaiting confirmation).</summary>
    Task<BackendResult> CheckAsync(BackendCommand command, CancellationToken ct);

    /// <summary>The account as the back end knows it (status, limit, available), or null if it knows none.</summary>
    Task<LedgerAccount?> FindAccountAsync(string accountId, CancellationToken ct);

    /// <summary>The customer's accounts in a currency.</summary>
    Task<IReadOnlyList<LedgerAccount>> AccountsOfAsync(string customerId, string currencyCode, CancellationToken ct);

    /// <summary>
    /// The redirect page bound a payment token to one of <paramref name="customerId"/>'s accounts: what this back end needs
    /// later to move money on it is recorded, in the binding's transaction.
    /// </summary>
    Task BindAsync(DbTx tx, LedgerAccount account, string customerId, CancellationToken ct);

    /// <summary>Why this back end cannot move <paramref name="amountMicros"/> of <paramref name="currencyCode"/> (a fraction of its smallest unit), or null.</summary>
    string? AmountProblem(long amountMicros, string currencyCode);
}
