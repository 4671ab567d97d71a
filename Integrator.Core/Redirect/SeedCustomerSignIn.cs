using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Redirect;

/// <summary>
/// Signs in the ledger seed's customers against their salted passcode hashes (db/*/0012_redirect.sql). Every attempt
/// is counted before the passcode is checked, in the statement that checks the lockout, so a burst of guesses at once
/// gets no more checks than <c>Redirect:MaxFailedSignIns</c>: the attempt that reaches it locks the customer out for
/// <c>Redirect:SignInLockout</c> (in the database, so every instance sees it), and while locked not even the right
/// passcode signs in. A success clears the count. At most <c>Redirect:MaxConcurrentSignIns</c> passcodes are hashed at
/// once, so the deliberately slow hash cannot be stacked into a denial of service. An unknown customer costs the same
/// hashing as a known one, so the answer's timing does not tell them apart.
/// </summary>
public sealed class SeedCustomerSignIn(Database database, IOptions<RedirectOptions> options, IOptions<LedgerOptions> ledger, TimeProvider time)
    : ICustomerSignIn, IDisposable
{
    private const string Find = "SELECT customer_id, name, passcode_hash, locked_until FROM customers WHERE customer_id = @CustomerId";

    // Counted (or refused as locked) in one statement: concurrent attempts each take their own count, and the one that
    // reaches the maximum sets the lock that refuses the rest. An expired lock starts the count afresh.
    private const string Attempt = """
        UPDATE customers
        SET failed_sign_ins = CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END,
            locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END) >= @MaxFailed
                                THEN @LockedUntil ELSE NULL END,
            updated_at = @Now
        WHERE customer_id = @CustomerId AND (locked_until IS NULL OR locked_until <= @Now)
        """;

    private const string Succeeded = """
        UPDATE customers SET failed_sign_ins = 0, locked_until = NULL, updated_at = @Now WHERE customer_id = @CustomerId
        """;

    private static readonly TimeSpan HashingWait = TimeSpan.FromSeconds(5);

    private readonly RedirectOptions _options = options.Value;
    private readonly SemaphoreSlim _hashing = new(options.Value.MaxConcurrentSignIns, options.Value.MaxConcurrentSignIns);
    private readonly Lazy<string> _decoy = new(() => PasscodeHash.Create(Guid.NewGuid().ToString(), ledger.Value.PasscodeHashIterations));

    public async Task<Result<Customer, SignInRefused>> SignInAsync(CustomerCredential credential, CancellationToken ct)
    {
        if (credential is not PasscodeCredential (var customerId, var passcode))
        {
            return new SignInRefused(null); // only passcodes are checked here
        }

        if (!await _hashing.WaitAsync(HashingWait, ct))
        {
            return new SignInRefused(null, Busy: true);
        }

        try
        {
            return await CheckAsync(customerId, passcode, ct);
        }
        finally
        {
            _hashing.Release();
        }
    }

    public void Dispose() => _hashing.Dispose();

    private async Task<Result<Customer, SignInRefused>> CheckAsync(string customerId, string passcode, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var counted = await database.ExecuteAsync(
            Attempt,
            new { CustomerId = customerId, Now = now, MaxFailed = _options.MaxFailedSignIns, LockedUntil = now + _options.SignInLockout },
            ct) == 1;
        var row = await database.QuerySingleOrDefaultAsync<Row>(Find, new { CustomerId = customerId }, ct);
        if (row is not null && !counted)
        {
            return new SignInRefused(row.LockedUntil);
        }

        if (!PasscodeHash.Verify(passcode, row?.PasscodeHash ?? _decoy.Value) || row is null)
        {
            // Checked and wrong: said so, even if a concurrent attempt has just locked the customer (the next one sees it).
            return new SignInRefused(null);
        }

        await database.ExecuteAsync(Succeeded, new { CustomerId = customerId, Now = time.GetUtcNow() }, ct);
        return new Customer(row.CustomerId, row.Name);
    }

    private sealed record Row
    {
        public required string CustomerId { get; init; }

        public required string Name { get; init; }

        public required string PasscodeHash { get; init; }

        public DateTimeOffset? LockedUntil { get; init; }
    }
}
