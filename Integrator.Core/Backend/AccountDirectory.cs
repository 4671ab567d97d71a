using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>
/// The customers' accounts as the back end knows them, for the redirect page and the console: the embedded ledger's
/// rows, or the remote back end's answer (its balance, status and limit are its own to decide). A remote read that
/// gets no usable answer throws <see cref="BackendUnavailableException"/>.
/// </summary>
public sealed class AccountDirectory(ILedger ledger, IBackendConnector connector, IOptions<BackendOptions> options)
{
    private readonly bool _remote = options.Value.IsRemote;

    /// <summary>The accounts <paramref name="customerId"/> holds in <paramref name="currencyCode"/>.</summary>
    public Task<IReadOnlyList<LedgerAccount>> AccountsOfAsync(string customerId, string currencyCode, CancellationToken ct) =>
        _remote ? connector.AccountsOfAsync(customerId, currencyCode, ct) : ledger.FindHeldByAsync(customerId, currencyCode, ct);

    /// <summary>A token is bound to one of the customer's accounts (the redirect page): the back end records what it needs.</summary>
    public Task BindAsync(DbTx tx, LedgerAccount account, string customerId, CancellationToken ct) =>
        _remote ? connector.BindAsync(tx, account, customerId, ct) : Task.CompletedTask;

    /// <summary>One account, or null if the back end knows none by that id.</summary>
    public Task<LedgerAccount?> FindAsync(string accountId, CancellationToken ct) =>
        _remote ? connector.FindAccountAsync(accountId, ct) : ledger.FindAsync(accountId, ct);
}
