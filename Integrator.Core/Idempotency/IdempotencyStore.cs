using Integrator.Core.Gsp;
using Integrator.Core.Storage;

namespace Integrator.Core.Idempotency;

public sealed record IdempotencyRecord
{
    public required string Method { get; init; }

    public required string Fingerprint { get; init; }

    /// <summary>The 200 body; empty while the key is claimed and its answer waits for a back end.</summary>
    public required string ResponseBody { get; init; }

    public bool IsPending => ResponseBody.Length == 0;
}

/// <summary>
/// The idempotency records. The PRIMARY KEY (paymentIntegratorAccountId, requestId) is the check: a row is claimed by
/// INSERT inside the transaction of the work it guards, and a concurrent duplicate waits on that key until the first
/// commits (then replays) or rolls back (then runs itself).
/// </summary>
public sealed class IdempotencyStore(Database database)
{
    private const string Find = """
        SELECT method, fingerprint, response_body FROM idempotency_records
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId
        """;

    private const string InsertClaim = """
        INSERT INTO idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at)
        VALUES (@AccountId, @RequestId, @Method, @Fingerprint, '', @Now)
        """;

    // Once: a claim waiting for a back end's answer is completed by whoever resolves it first.
    private const string Complete = """
        UPDATE idempotency_records SET response_body = @ResponseBody
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId AND response_body = ''
        """;

    // An error is never remembered: a claim that ends in one is dropped, and Google's retry is processed afresh.
    private const string Forget = """
        DELETE FROM idempotency_records
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId AND response_body = ''
        """;

    /// <summary>
    /// The key's record, made sure to be durable before anything is answered from it (<see cref="Database.EnsureDurableAsync"/>):
    /// a replay never serves a commit that a failover could lose.
    /// </summary>
    public async Task<IdempotencyRecord?> FindDurableAsync(IdempotencyKey key, CancellationToken ct)
    {
        var record = await FindAsync(key, ct);
        if (record is not null)
        {
            await database.EnsureDurableAsync(ct);
        }

        return record;
    }

    public Task<IdempotencyRecord?> FindAsync(IdempotencyKey key, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<IdempotencyRecord>(Find, new { key.AccountId, key.RequestId }, ct);

    /// <summary>
    /// Claims the key in the write's transaction. Held for its next statement (<see cref="DbTx.ExecuteLater"/>): a key
    /// claimed already makes that statement throw the duplicate, and the write fails with it.
    /// </summary>
    public void Claim(DbTx tx, IdempotencyKey key, string method, string fingerprint, DateTimeOffset now) =>
        tx.ExecuteLater(InsertClaim, new { key.AccountId, key.RequestId, Method = method, Fingerprint = fingerprint, Now = now });

    /// <summary>Stores the 200 body of a claimed key; false if it was completed already (or is no longer claimed).</summary>
    public async Task<bool> CompleteAsync(DbTx tx, IdempotencyKey key, string responseBody, CancellationToken ct) =>
        await tx.ExecuteAsync(Complete, new { key.AccountId, key.RequestId, ResponseBody = responseBody }, ct) == 1;

    /// <summary>Stores the 200 body of the key this write claimed (<see cref="Claim"/>): certain to change its row, so held for later.</summary>
    public void CompleteOwnClaim(DbTx tx, IdempotencyKey key, string responseBody) =>
        tx.ExecuteLater(Complete, new { key.AccountId, key.RequestId, ResponseBody = responseBody });

    /// <summary>Drops a claim still waiting for its answer (it ended in an error).</summary>
    public Task ForgetAsync(DbTx tx, IdempotencyKey key, CancellationToken ct) =>
        tx.ExecuteAsync(Forget, new { key.AccountId, key.RequestId }, ct);
}
