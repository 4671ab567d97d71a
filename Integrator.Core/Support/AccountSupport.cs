using Integrator.Core.Backend;
using Integrator.Core.Ledger;
using Integrator.Core.Redirect;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

/// <summary>A capture on an account, with what was refunded of it.</summary>
public sealed record AccountCaptureView
{
    public required string PaymentIntegratorAccountId { get; init; }

    public required string ReserveFundsRequestId { get; init; }

    public required string CaptureRequestId { get; init; }

    public required long AmountMicros { get; init; }

    public required long RefundedMicros { get; init; }

    public required string CurrencyCode { get; init; }

    public required DateTimeOffset CapturedAt { get; init; }

    public MoneyView Amount => MoneyView.Of(AmountMicros, CurrencyCode);

    public MoneyView Refunded => MoneyView.Of(RefundedMicros, CurrencyCode);
}

/// <summary>A refund on an account: which capture (and reservation) it gave back money of.</summary>
public sealed record AccountRefundView
{
    public required string PaymentIntegratorAccountId { get; init; }

    public required string ReserveFundsRequestId { get; init; }

    public required string RefundRequestId { get; init; }

    public required string CaptureRequestId { get; init; }

    public required long AmountMicros { get; init; }

    public required string CurrencyCode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public MoneyView Amount => MoneyView.Of(AmountMicros, CurrencyCode);
}

/// <summary>A redirect that ended on an account (a token bound to it, or a decline after choosing it).</summary>
public sealed record AccountRedirectView
{
    public required string RedirectRequestId { get; init; }

    public required string Result { get; init; }

    public string? CustomerId { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string Reference => RedirectReference.Of(RedirectRequestId);
}

/// <summary>
/// An account as a support desk reads it, starting from the customer: its holder, balance, open holds, captures and
/// refunds with totals, the redirects that bound its tokens, and — with a remote back end — what the back end says of
/// it now, beside our records.
/// </summary>
public sealed record AccountView
{
    public required string AccountId { get; init; }

    public required string CurrencyCode { get; init; }

    public required AccountStatus Status { get; init; }

    public string? CustomerId { get; init; }

    public string? CustomerName { get; init; }

    public required MoneyView OpeningBalance { get; init; }

    public required MoneyView Held { get; init; }

    public required MoneyView Captured { get; init; }

    public MoneyView? TransactionLimit { get; init; }

    public required IReadOnlyList<ReservationListItem> Holds { get; init; }

    public required IReadOnlyList<AccountCaptureView> Captures { get; init; }

    public required MoneyView CapturedTotal { get; init; }

    public required IReadOnlyList<AccountRefundView> Refunds { get; init; }

    public required MoneyView RefundedTotal { get; init; }

    public required IReadOnlyList<AccountRedirectView> Redirects { get; init; }

    /// <summary>Whether the money is in a remote back end (Http, Mollie), whose view is <see cref="Backend"/>.</summary>
    public bool RemoteBackend { get; init; }

    /// <summary>What the remote back end says of the account now; null when it knows none or did not answer (<see cref="BackendUnavailable"/>).</summary>
    public LedgerAccount? Backend { get; init; }

    public bool BackendUnavailable { get; init; }
}

/// <summary>One account for support (<see cref="AccountView"/>); each list shows its newest <see cref="MaxRows"/>.</summary>
public sealed class AccountSupport(Database database, ReservationListSupport reservations, AccountDirectory directory, IOptions<BackendOptions> backend)
{
    public const int MaxRows = 200;

    private const string Account = """
        SELECT a.account_id, a.currency_code, a.status, a.opening_balance_micros, a.held_micros, a.captured_micros,
               a.transaction_limit_micros, ca.customer_id, c.name AS customer_name
        FROM accounts a
        LEFT JOIN customer_accounts ca ON ca.account_id = a.account_id
        LEFT JOIN customers c ON c.customer_id = ca.customer_id
        WHERE a.account_id = @AccountId
        """;

    private const string Captures = """
        SELECT c.payment_integrator_account_id, r.reserve_request_id AS reserve_funds_request_id, c.capture_request_id,
               c.amount_micros, c.refunded_micros, c.currency_code, c.captured_at
        FROM captures c JOIN reservations r ON r.reservation_id = c.reservation_id
        WHERE c.account_id = @AccountId
        ORDER BY c.captured_at DESC, c.capture_id DESC
        """;

    private const string Totals = """
        SELECT COALESCE(SUM(amount_micros), 0) AS captured, COALESCE(SUM(refunded_micros), 0) AS refunded
        FROM captures WHERE account_id = @AccountId
        """;

    private const string Refunds = """
        SELECT f.payment_integrator_account_id, r.reserve_request_id AS reserve_funds_request_id, f.refund_request_id,
               c.capture_request_id, f.amount_micros, c.currency_code, f.created_at
        FROM refunds f JOIN captures c ON c.capture_id = f.capture_id JOIN reservations r ON r.reservation_id = c.reservation_id
        WHERE c.account_id = @AccountId
        ORDER BY f.created_at DESC, f.refund_id DESC
        """;

    private const string Redirects = """
        SELECT redirect_request_id, result, customer_id, completed_at FROM redirect_sessions
        WHERE account_id = @AccountId
        ORDER BY created_at DESC, redirect_request_id DESC
        """;

    public async Task<Result<AccountView, SupportError>> GetAsync(string accountId, CancellationToken ct)
    {
        var key = new { AccountId = accountId, Take = MaxRows };
        var account = await database.QuerySingleOrDefaultAsync<AccountRow>(Account, key, ct);
        if (account is null)
        {
            return SupportError.NotFound($"No account {accountId}.");
        }

        var holds = await reservations.ListAsync(
            new ReservationFilter { AccountId = accountId, State = "RESERVED" }, MaxRows, null, ct);
        var limit = database.Dialect.Limit("@Take");
        var captures = await database.QueryAsync<AccountCaptureView>($"{Captures} {limit}", key, ct);
        var refunds = await database.QueryAsync<AccountRefundView>($"{Refunds} {limit}", key, ct);
        var redirects = await database.QueryAsync<AccountRedirectView>($"{Redirects} {limit}", key, ct);
        var totals = await database.QuerySingleOrDefaultAsync<TotalsRow>(Totals, key, ct);
        var currency = account.CurrencyCode;
        var view = new AccountView
        {
            AccountId = account.AccountId,
            CurrencyCode = currency,
            Status = account.Status,
            CustomerId = account.CustomerId,
            CustomerName = account.CustomerName,
            OpeningBalance = MoneyView.Of(account.OpeningBalanceMicros, currency),
            Held = MoneyView.Of(account.HeldMicros, currency),
            Captured = MoneyView.Of(account.CapturedMicros, currency),
            TransactionLimit = account.TransactionLimitMicros is { } l ? MoneyView.Of(l, currency) : null,
            Holds = holds.Value!.Items,
            Captures = captures,
            CapturedTotal = MoneyView.Of(totals?.Captured ?? 0, currency),
            Refunds = refunds,
            RefundedTotal = MoneyView.Of(totals?.Refunded ?? 0, currency),
            Redirects = redirects,
            RemoteBackend = backend.Value.IsRemote,
        };
        if (!backend.Value.IsRemote)
        {
            return view;
        }

        try
        {
            return view with { Backend = await directory.FindAsync(accountId, ct) };
        }
        catch (BackendUnavailableException)
        {
            return view with { BackendUnavailable = true };
        }
    }

    private sealed record AccountRow
    {
        public required string AccountId { get; init; }

        public required string CurrencyCode { get; init; }

        public required AccountStatus Status { get; init; }

        public required long OpeningBalanceMicros { get; init; }

        public required long HeldMicros { get; init; }

        public required long CapturedMicros { get; init; }

        public long? TransactionLimitMicros { get; init; }

        public string? CustomerId { get; init; }

        public string? CustomerName { get; init; }
    }

    private sealed record TotalsRow(long Captured, long Refunded);
}
