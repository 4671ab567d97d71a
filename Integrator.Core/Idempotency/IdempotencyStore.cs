using Integrator.Core.Gsp;
using Integrator.Core.Storage;

namespace Integrator.Core.Idempotency;

public sealed record IdempotencyRecord
{
    public required string Method { get; init; }

    public required string Fingerprint { get; init; }

    public required string ResponseBody { get; init; }
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

    private const string Claim = """
        INSERT INTO idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at)
        VALUES (@AccountId, @RequestId, @Method, @Fingerprint, '', @Now)
        """;

    private const string Complete = """
        UPDATE idempotency_records SET response_body = @ResponseBody
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId
        """;

    public Task<IdempotencyRecord?> FindAsync(IdempotencyKey key, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<IdempotencyRecord>(Find, new { key.AccountId, key.RequestId }, ct);

    public Task ClaimAsync(DbTx tx, IdempotencyKey key, string method, string fingerprint, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync(Claim, new { key.AccountId, key.RequestId, Method = method, Fingerprint = fingerprint, Now = now }, ct);

    public Task CompleteAsync(DbTx tx, IdempotencyKey key, string responseBody, CancellationToken ct) =>
        tx.ExecuteAsync(Complete, new { key.AccountId, key.RequestId, ResponseBody = responseBody }, ct);
}
