using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Redirect;

/// <summary>
/// Signs in the ledger seed's customers against their salted passcode hashes (db/*/0012_redirect.sql).
/// <c>Redirect:MaxFailedSignIns</c> wrong passcodes in a row lock the customer out for <c>Redirect:SignInLockout</c>,
/// counted in the database so that every instance sees them; a success resets the count. An unknown customer costs
/// the same hashing as a known one, so the answer's timing does not tell them apart.
/// </summary>
public sealed class SeedCustomerSignIn(Database database, IOptions<RedirectOptions> options, IOptions<LedgerOptions> ledger, TimeProvider time)
    : ICustomerSignIn
{
    private const string Find = "SELECT customer_id, name, passcode_hash, locked_until FROM customers WHERE customer_id = @CustomerId";

    private const string Succeeded = """
        UPDATE customers SET failed_sign_ins = 0, locked_until = NULL, updated_at = @Now WHERE customer_id = @CustomerId
        """;

    // Counted and locked in one statement: two wrong attempts at once both count.
    private const string Failed = """
        UPDATE customers
        SET failed_sign_ins = failed_sign_ins + 1,
            locked_until = CASE WHEN failed_sign_ins + 1 >= @MaxFailed THEN @LockedUntil ELSE locked_until END,
            updated_at = @Now
        WHERE customer_id = @CustomerId
        """;

    private const string Unlock = """
        UPDATE customers SET failed_sign_ins = 0, locked_until = NULL WHERE customer_id = @CustomerId AND locked_until <= @Now
        """;

    private readonly RedirectOptions _options = options.Value;
    private readonly Lazy<string> _decoy = new(() => PasscodeHash.Create(Guid.NewGuid().ToString(), ledger.Value.PasscodeHashIterations));

    public async Task<Result<Customer, SignInRefused>> SignInAsync(string customerId, string passcode, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = await database.QuerySingleOrDefaultAsync<Row>(Find, new { CustomerId = customerId }, ct);
        if (row?.LockedUntil > now)
        {
            return new SignInRefused(DateTimeOffset.FromUnixTimeMilliseconds(row.LockedUntil.Value));
        }

        if (row?.LockedUntil is not null)
        {
            await database.ExecuteAsync(Unlock, new { CustomerId = customerId, Now = now }, ct);
        }

        var matches = PasscodeHash.Verify(passcode, row?.PasscodeHash ?? _decoy.Value);
        if (row is null)
        {
            return new SignInRefused(null);
        }

        if (matches)
        {
            await database.ExecuteAsync(Succeeded, new { CustomerId = customerId, Now = now }, ct);
            return new Customer(row.CustomerId, row.Name);
        }

        var lockedUntil = now + (long)_options.SignInLockout.TotalMilliseconds;
        await database.ExecuteAsync(
            Failed, new { CustomerId = customerId, Now = now, MaxFailed = _options.MaxFailedSignIns, LockedUntil = lockedUntil }, ct);
        var after = await database.QuerySingleOrDefaultAsync<Row>(Find, new { CustomerId = customerId }, ct);
        return new SignInRefused(after?.LockedUntil is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null);
    }

    private sealed record Row
    {
        public required string CustomerId { get; init; }

        public required string Name { get; init; }

        public required string PasscodeHash { get; init; }

        public long? LockedUntil { get; init; }
    }
}
