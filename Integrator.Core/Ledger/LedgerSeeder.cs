using System.Text.Json;
using Integrator.Core.Gsp;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Ledger;

/// <summary>
/// Loads <c>Ledger:SeedFile</c> and upserts its accounts and tokens in one transaction. The seed's balance is the
/// account's opening balance: captures made through Integrator stay debited across restarts and seed edits.
/// </summary>
public sealed partial class LedgerSeeder(Database database, TimeProvider time, ILogger<LedgerSeeder> logger)
{
    private const string UpdateAccount = """
        UPDATE accounts
        SET status = @Status, opening_balance_micros = @BalanceMicros, transaction_limit_micros = @TransactionLimitMicros,
            updated_at = @Now
        WHERE account_id = @AccountId AND currency_code = @CurrencyCode
        """;

    private const string FindAccountCurrency = "SELECT currency_code FROM accounts WHERE account_id = @AccountId";

    private const string InsertAccount = """
        INSERT INTO accounts (account_id, currency_code, status, opening_balance_micros, transaction_limit_micros, updated_at)
        VALUES (@AccountId, @CurrencyCode, @Status, @BalanceMicros, @TransactionLimitMicros, @Now)
        """;

    private const string UpdateToken = "UPDATE payment_tokens SET account_id = @AccountId WHERE token_sha256 = @TokenSha256";

    private const string InsertToken = "INSERT INTO payment_tokens (token_sha256, account_id) VALUES (@TokenSha256, @AccountId)";

    private const string AccountExists = "SELECT COUNT(*) FROM accounts WHERE account_id = @AccountId";

    public async Task SeedAsync(string path, CancellationToken ct)
    {
        var seed = Load(path);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(seed, path, ct);
                LogSeeded(logger, seed.Accounts.Count, seed.PaymentTokens.Count, path);
                return;
            }
            catch (Exception e) when (attempt < 3 && database.Classify(e) == StorageFault.DuplicateKey)
            {
                // Another instance inserted the same rows at the same moment; its rows are now visible to an update.
            }
        }
    }

    public static SeedDocument Load(string path)
    {
        SeedDocument? seed;
        try
        {
            using var stream = File.OpenRead(path);
            seed = JsonSerializer.Deserialize(stream, SeedJsonContext.Default.SeedDocument);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidOperationException($"Ledger:SeedFile '{path}' cannot be read: {e.Message}", e);
        }

        var problem = seed is null ? "the file is empty" : Validate(seed);
        return problem is null ? seed! : throw new InvalidOperationException($"Ledger:SeedFile '{path}' is invalid: {problem}.");
    }

    private static string? Validate(SeedDocument seed)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in seed.Accounts)
        {
            if (string.IsNullOrWhiteSpace(account.AccountId) || !ids.Add(account.AccountId))
            {
                return $"accountId '{account.AccountId}' is empty or repeated";
            }

            if (account.CurrencyCode is null || !Currencies.IsIso4217(account.CurrencyCode))
            {
                return $"account {account.AccountId} has no ISO 4217 currencyCode";
            }

            if (account.BalanceMicros is not >= 0)
            {
                return $"account {account.AccountId} needs a balanceMicros of zero or more";
            }

            if (account.Status is not ("ACTIVE" or "ON_HOLD" or "CLOSED"))
            {
                return $"account {account.AccountId} has status '{account.Status}' (ACTIVE, ON_HOLD or CLOSED)";
            }

            if (account.TransactionLimitMicros is <= 0)
            {
                return $"account {account.AccountId} has a transactionLimitMicros that is not positive";
            }
        }

        foreach (var token in seed.PaymentTokens)
        {
            if (string.IsNullOrEmpty(token.GooglePaymentToken) || string.IsNullOrEmpty(token.AccountId))
            {
                // The token value itself is never repeated in a message.
                return "every paymentTokens entry needs a googlePaymentToken and an accountId";
            }
        }

        return null;
    }

    private Task ApplyAsync(SeedDocument seed, string path, CancellationToken ct) =>
        database.WriteAsync(
            async (tx, token) =>
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var account in seed.Accounts)
                {
                    var row = new
                    {
                        account.AccountId,
                        account.CurrencyCode,
                        account.Status,
                        account.BalanceMicros,
                        account.TransactionLimitMicros,
                        Now = now,
                    };
                    if (await tx.ExecuteAsync(UpdateAccount, row, token) == 1)
                    {
                        continue;
                    }

                    var currency = await tx.QuerySingleOrDefaultAsync<string>(FindAccountCurrency, row, token);
                    if (currency is not null)
                    {
                        throw new InvalidOperationException(
                            $"Ledger:SeedFile '{path}': account {account.AccountId} is held in {currency}; its currency cannot change.");
                    }

                    await tx.ExecuteAsync(InsertAccount, row, token);
                }

                foreach (var paymentToken in seed.PaymentTokens)
                {
                    if (await tx.ExecuteScalarAsync<long>(AccountExists, new { paymentToken.AccountId }, token) == 0)
                    {
                        throw new InvalidOperationException(
                            $"Ledger:SeedFile '{path}': a payment token refers to unknown account {paymentToken.AccountId}.");
                    }

                    var row = new { TokenSha256 = SqlLedger.TokenHash(paymentToken.GooglePaymentToken!), paymentToken.AccountId };
                    if (await tx.ExecuteAsync(UpdateToken, row, token) == 0)
                    {
                        await tx.ExecuteAsync(InsertToken, row, token);
                    }
                }
            },
            ct);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Seeded {Accounts} accounts and {Tokens} payment tokens from {Path}")]
    private static partial void LogSeeded(ILogger logger, int accounts, int tokens, string path);
}
