using System.Security.Cryptography;
using System.Text;
using Integrator.Core.Storage;

namespace Integrator.Core.Ledger;

public sealed class SqlLedger(Database database) : ILedger
{
    private const string AccountColumns = """
        a.account_id, a.currency_code, a.status, a.transaction_limit_micros,
        a.opening_balance_micros - a.captured_micros - a.held_micros AS available_micros
        """;

    private const string FindByToken = $"""
        SELECT {AccountColumns}
        FROM payment_tokens t
        JOIN accounts a ON a.account_id = t.account_id
        WHERE t.token_sha256 = @TokenSha256
        """;

    private const string FindHeldBy = $"""
        SELECT {AccountColumns}
        FROM customer_accounts h
        JOIN accounts a ON a.account_id = h.account_id
        WHERE h.customer_id = @CustomerId AND a.currency_code = @CurrencyCode
        ORDER BY a.account_id
        """;

    private const string FindTokenAccount = "SELECT account_id FROM payment_tokens WHERE token_sha256 = @TokenSha256";

    // A remote back end's account, met on the redirect page: only what binding a token needs.
    private const string KnowAccount = """
        INSERT INTO accounts (account_id, currency_code, status, opening_balance_micros, transaction_limit_micros, updated_at)
        SELECT @AccountId, @CurrencyCode, 'ACTIVE', 0, NULL, @Now
        WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE account_id = @AccountId)
        """;

    private const string InsertToken = "INSERT INTO payment_tokens (token_sha256, account_id) VALUES (@TokenSha256, @AccountId)";

    private const string FindById = $"SELECT {AccountColumns} FROM accounts a WHERE a.account_id = @AccountId";

    // The availability check and the hold are one statement, so two reservations can never both take the last funds.
    private const string PlaceHold = """
        UPDATE accounts
        SET held_micros = held_micros + @Amount, updated_at = @Now
        WHERE account_id = @AccountId
          AND opening_balance_micros - captured_micros - held_micros >= @Amount
        """;

    private const string ReleaseHold = """
        UPDATE accounts
        SET held_micros = held_micros - @Amount, updated_at = @Now
        WHERE account_id = @AccountId
        """;

    private const string Capture = """
        UPDATE accounts
        SET held_micros = held_micros - @Held, captured_micros = captured_micros + @Captured, updated_at = @Now
        WHERE account_id = @AccountId
        """;

    // captured_micros is what was captured, net of refunds (db/*/0007_refunds.sql).
    private const string CreditRefund = """
        UPDATE accounts
        SET captured_micros = captured_micros - @Amount, updated_at = @Now
        WHERE account_id = @AccountId AND captured_micros >= @Amount
        """;

    public Task<LedgerAccount?> FindByPaymentTokenAsync(DbTx tx, string googlePaymentToken, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<LedgerAccount>(FindByToken, new { TokenSha256 = TokenHash(googlePaymentToken) }, ct);

    public Task<LedgerAccount?> FindAsync(DbTx tx, string accountId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<LedgerAccount>(FindById, new { AccountId = accountId }, ct);

    public Task<IReadOnlyList<LedgerAccount>> FindHeldByAsync(string customerId, string currencyCode, CancellationToken ct) =>
        database.QueryAsync<LedgerAccount>(FindHeldBy, new { CustomerId = customerId, CurrencyCode = currencyCode }, ct);

    public Task<LedgerAccount?> FindAsync(string accountId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<LedgerAccount>(FindById, new { AccountId = accountId }, ct);

    public async Task<bool> TryBindPaymentTokenAsync(DbTx tx, string tokenSha256, LedgerAccount account, DateTimeOffset now, CancellationToken ct)
    {
        var token = new { TokenSha256 = tokenSha256, account.AccountId };
        if (await tx.QuerySingleOrDefaultAsync<string>(FindTokenAccount, token, ct) is { } boundTo)
        {
            return boundTo == account.AccountId;
        }

        await tx.ExecuteAsync(KnowAccount, new { account.AccountId, account.CurrencyCode, Now = now }, ct);
        await tx.ExecuteAsync(InsertToken, token, ct);
        return true;
    }

    public async Task CreditRefundAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct) =>
        ExpectOneRow(await tx.ExecuteAsync(CreditRefund, new { AccountId = accountId, Amount = amountMicros, Now = now }, ct), accountId);

    public async Task<bool> TryPlaceHoldAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct) =>
        await tx.ExecuteAsync(PlaceHold, new { AccountId = accountId, Amount = amountMicros, Now = now }, ct) == 1;

    public async Task ReleaseHoldAsync(DbTx tx, string accountId, long amountMicros, DateTimeOffset now, CancellationToken ct) =>
        ExpectOneRow(await tx.ExecuteAsync(ReleaseHold, new { AccountId = accountId, Amount = amountMicros, Now = now }, ct), accountId);

    public async Task CaptureAsync(DbTx tx, string accountId, long heldMicros, long capturedMicros, DateTimeOffset now, CancellationToken ct) =>
        ExpectOneRow(
            await tx.ExecuteAsync(Capture, new { AccountId = accountId, Held = heldMicros, Captured = capturedMicros, Now = now }, ct),
            accountId);

    /// <summary>Tokens are stored and looked up by their SHA-256 only.</summary>
    public static string TokenHash(string googlePaymentToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(googlePaymentToken)));

    private static void ExpectOneRow(int rows, string accountId)
    {
        if (rows != 1)
        {
            throw new InvalidOperationException($"Ledger account {accountId} vanished, or holds less than it should.");
        }
    }
}
