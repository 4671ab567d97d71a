using System.Text.Json;
using Integrator.Core.Gsp;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Ledger;

/// <summary>
/// Loads <c>Ledger:SeedFile</c> and upserts its accounts, tokens and customers in one transaction. The seed's balance
/// is the account's opening balance: captures made through Integrator stay debited across restarts and seed edits. A
/// customer's passcode is hashed afresh only when it changed (or the configured iteration count did).
/// </summary>
public sealed partial class LedgerSeeder(Database database, IOptions<LedgerOptions> options, TimeProvider time, ILogger<LedgerSeeder> logger)
{
    private const string FindPasscodeHash = "SELECT passcode_hash FROM customers WHERE customer_id = @CustomerId";

    private const string UpdateCustomer = """
        UPDATE customers SET name = @Name, passcode_hash = @PasscodeHash, updated_at = @Now WHERE customer_id = @CustomerId
        """;

    private const string InsertCustomer = """
        INSERT INTO customers (customer_id, name, passcode_hash, failed_sign_ins, updated_at)
        VALUES (@CustomerId, @Name, @PasscodeHash, 0, @Now)
        """;

    private const string UpdateHolder = "UPDATE customer_accounts SET customer_id = @CustomerId WHERE account_id = @AccountId";

    private const string InsertHolder = "INSERT INTO customer_accounts (account_id, customer_id) VALUES (@AccountId, @CustomerId)";

    private const string DeleteHolder = "DELETE FROM customer_accounts WHERE account_id = @AccountId";

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

    // An account at Mollie: the customer and mandate its payments are made on (db/*/0015_mollie.sql).
    private const string UpdateMollie = "UPDATE mollie_accounts SET customer_id = @CustomerId, mandate_id = @MandateId WHERE account_id = @AccountId";

    private const string InsertMollie = "INSERT INTO mollie_accounts (account_id, customer_id, mandate_id) VALUES (@AccountId, @CustomerId, @MandateId)";

    public async Task SeedAsync(string path, CancellationToken ct)
    {
        var seed = Load(path);
        var passcodeHashes = await PasscodeHashesAsync(seed, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(seed, passcodeHashes, path, ct);
                LogSeeded(logger, seed.Accounts.Count, seed.PaymentTokens.Count, seed.Customers.Count, path);
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

            if (account.Mollie is { } mollie
                && (mollie.CustomerId is not { Length: > 4 and <= 100 } || !mollie.CustomerId.StartsWith("cst_", StringComparison.Ordinal)
                    || mollie.MandateId is not { Length: > 4 and <= 100 } || !mollie.MandateId.StartsWith("mdt_", StringComparison.Ordinal)))
            {
                return $"account {account.AccountId} has a mollie entry without a customerId (cst_…) and a mandateId (mdt_…)";
            }
        }

        var customers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var customer in seed.Customers)
        {
            if (string.IsNullOrWhiteSpace(customer.CustomerId) || customer.CustomerId.Length > 100 || !customers.Add(customer.CustomerId))
            {
                return $"customerId '{customer.CustomerId}' is empty, longer than 100 characters or repeated";
            }

            if (string.IsNullOrWhiteSpace(customer.Name))
            {
                return $"customer {customer.CustomerId} has no name";
            }

            if (customer.Passcode is not { Length: >= 4 and <= 128 })
            {
                // The passcode itself is never repeated in a message.
                return $"customer {customer.CustomerId} needs a passcode of 4 to 128 characters";
            }
        }

        if (seed.Accounts.FirstOrDefault(a => a.CustomerId is not null && !customers.Contains(a.CustomerId)) is { } orphan)
        {
            return $"account {orphan.AccountId} names customer '{orphan.CustomerId}', who is not in customers";
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

    private Task ApplyAsync(SeedDocument seed, IReadOnlyDictionary<string, string> passcodeHashes, string path, CancellationToken ct) =>
        database.WriteAsync(
            async (tx, token) =>
            {
                var now = time.GetUtcNow();
                await ApplyCustomersAsync(tx, seed, passcodeHashes, now, token);
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

                foreach (var account in seed.Accounts.Where(a => a.Mollie is not null))
                {
                    var mollie = new { account.AccountId, account.Mollie!.CustomerId, account.Mollie.MandateId };
                    if (await tx.ExecuteAsync(UpdateMollie, mollie, token) == 0)
                    {
                        await tx.ExecuteAsync(InsertMollie, mollie, token);
                    }
                }

                foreach (var account in seed.Accounts)
                {
                    var holder = new { account.AccountId, account.CustomerId };
                    if (account.CustomerId is null)
                    {
                        await tx.ExecuteAsync(DeleteHolder, holder, token);
                    }
                    else if (await tx.ExecuteAsync(UpdateHolder, holder, token) == 0)
                    {
                        await tx.ExecuteAsync(InsertHolder, holder, token);
                    }
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

    /// <summary>
    /// Each customer's hash: the stored one while it still matches the seed's passcode and iteration count, else a new
    /// one. Made before the write transaction, which it would otherwise hold open for the deliberately slow hashing.
    /// </summary>
    private async Task<Dictionary<string, string>> PasscodeHashesAsync(SeedDocument seed, CancellationToken ct)
    {
        var iterations = options.Value.PasscodeHashIterations;
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var customer in seed.Customers)
        {
            var stored = await database.QuerySingleOrDefaultAsync<string>(FindPasscodeHash, new { customer.CustomerId }, ct);
            hashes[customer.CustomerId!] = stored is not null && PasscodeHash.IterationsOf(stored) == iterations && PasscodeHash.Verify(customer.Passcode!, stored)
                ? stored
                : PasscodeHash.Create(customer.Passcode!, iterations);
        }

        return hashes;
    }

    private static async Task ApplyCustomersAsync(
        DbTx tx, SeedDocument seed, IReadOnlyDictionary<string, string> passcodeHashes, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var customer in seed.Customers)
        {
            var row = new { customer.CustomerId, customer.Name, PasscodeHash = passcodeHashes[customer.CustomerId!], Now = now };
            if (await tx.ExecuteAsync(UpdateCustomer, row, ct) == 0)
            {
                await tx.ExecuteAsync(InsertCustomer, row, ct);
            }
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Seeded {Accounts} accounts, {Tokens} payment tokens and {Customers} customers from {Path}")]
    private static partial void LogSeeded(ILogger logger, int accounts, int tokens, int customers, string path);
}
