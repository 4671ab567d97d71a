using Integrator.Core.Storage;

namespace Integrator.Core.Notifications;

/// <summary>A row claimed for delivery: what the notification says, and how many attempts it had before this one.</summary>
public sealed record ClaimedNotification
{
    public required string NotificationId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    /// <summary>CANCEL_RESULT or REDIRECT_COMPLETE (<see cref="NotificationKinds"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>The cancel request a CANCEL_RESULT reports on.</summary>
    public string? CancelRequestId { get; init; }

    /// <summary>The redirect a REDIRECT_COMPLETE reports on.</summary>
    public string? RedirectRequestId { get; init; }

    /// <summary>What it reports: SUCCESS for a cancel, the redirect's result (<see cref="Gsp.RedirectResults"/>).</summary>
    public required string Result { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public long AttemptCount { get; init; }
}

public sealed record NotificationStats
{
    public long Pending { get; init; }

    public DateTimeOffset? OldestPendingCreatedAt { get; init; }

    public long Dead { get; init; }
}

/// <summary>
/// The outbox rows as the dispatcher sees them. A row is claimed by setting a lease (owner and expiry); only the owner
/// may reschedule it, an expired lease may be taken over, and a delivery is final whoever records it.
/// </summary>
public sealed class NotificationStore(Database database)
{
    private const string ClaimedColumns = "notification_id, kind, payment_integrator_account_id, cancel_request_id, redirect_request_id, result, created_at, attempt_count";

    private const string Due = """
        status = 'PENDING' AND next_attempt_at <= @Now AND (lease_expires_at IS NULL OR lease_expires_at <= @Now)
        """;

    private const string InsertAttempt = """
        INSERT INTO outbox_attempts (attempt_id, notification_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error)
        VALUES (@AttemptId, @NotificationId, @AttemptedAt, @Dispatcher, @HttpStatus, @LatencyMs, @Outcome, @Error)
        """;

    private const string MarkDelivered = """
        UPDATE outbox
        SET status = 'DELIVERED', attempt_count = attempt_count + 1, delivered_at = @Now, last_error = NULL,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE notification_id = @NotificationId AND status = 'PENDING'
        """;

    private const string Reschedule = """
        UPDATE outbox
        SET attempt_count = attempt_count + 1, next_attempt_at = @NextAttemptAt, last_error = @Error,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE notification_id = @NotificationId AND status = 'PENDING' AND lease_owner = @Owner
        """;

    private const string MarkDead = """
        UPDATE outbox
        SET status = 'DEAD', attempt_count = attempt_count + 1, last_error = @Error, lease_owner = NULL, lease_expires_at = NULL
        WHERE notification_id = @NotificationId AND status = 'PENDING' AND lease_owner = @Owner
        """;

    private const string ReleaseLeases = """
        UPDATE outbox SET lease_owner = NULL, lease_expires_at = NULL
        WHERE lease_owner = @Owner AND status = 'PENDING'
        """;

    private const string Stats = """
        SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'PENDING') AS pending,
               (SELECT MIN(created_at) FROM outbox WHERE status = 'PENDING') AS oldest_pending_created_at,
               (SELECT COUNT(*) FROM outbox WHERE status = 'DEAD') AS dead
        """;

    /// <summary>
    /// The claim, the one statement whose form differs per engine. SQLite (one writer at a time) claims by
    /// compare-and-set: the UPDATE re-checks that each row is still due and unleased. PostgreSQL and SQL Server skip
    /// rows another instance has locked, so concurrent dispatchers never wait on each other.
    /// </summary>
    private static string ClaimSql(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => $"""
            UPDATE outbox SET lease_owner = @Owner, lease_expires_at = @LeaseUntil
            WHERE notification_id IN (SELECT notification_id FROM outbox WHERE {Due} ORDER BY next_attempt_at LIMIT @Batch)
              AND {Due}
            RETURNING {ClaimedColumns}
            """,
        StorageProvider.Postgres => $"""
            UPDATE outbox SET lease_owner = @Owner, lease_expires_at = @LeaseUntil
            WHERE notification_id IN (
                SELECT notification_id FROM outbox WHERE {Due} ORDER BY next_attempt_at LIMIT @Batch FOR UPDATE SKIP LOCKED)
            RETURNING {ClaimedColumns}
            """,
        StorageProvider.SqlServer => $"""
            WITH due AS (
                SELECT TOP (@Batch) * FROM outbox WITH (UPDLOCK, ROWLOCK, READPAST) WHERE {Due} ORDER BY next_attempt_at)
            UPDATE due SET lease_owner = @Owner, lease_expires_at = @LeaseUntil
            OUTPUT inserted.notification_id, inserted.kind, inserted.payment_integrator_account_id, inserted.cancel_request_id,
                   inserted.redirect_request_id, inserted.result, inserted.created_at, inserted.attempt_count;
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    public Task<IReadOnlyList<ClaimedNotification>> ClaimDueAsync(
        string owner, int batch, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct) =>
        database.WriteAsync(
            async (tx, token) => Write.Commit(await tx.QueryAsync<ClaimedNotification>(
                ClaimSql(database.Dialect.Provider),
                new { Owner = owner, Batch = batch, Now = now, LeaseUntil = leaseUntil },
                token)),
            ct);

    /// <summary>Records the attempt and its consequence for the row in one transaction.</summary>
    public Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken ct)
    {
        var row = new
        {
            AttemptId = Ids.New(),
            attempt.NotificationId,
            attempt.AttemptedAt,
            attempt.Dispatcher,
            attempt.HttpStatus,
            attempt.LatencyMs,
            Outcome = attempt.Delivered ? "DELIVERED" : "FAILED",
            attempt.Error,
        };
        var args = new
        {
            attempt.NotificationId,
            Now = attempt.AttemptedAt,
            Owner = attempt.Dispatcher,
            attempt.NextAttemptAt,
            attempt.Error,
        };
        var sql = attempt.Delivered ? MarkDelivered : attempt.NextAttemptAt is null ? MarkDead : Reschedule;
        return database.WriteAsync(
            async (tx, token) =>
            {
                await tx.ExecuteAsync(InsertAttempt, row, token);
                await tx.ExecuteAsync(sql, args, token);
            },
            ct);
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken ct) =>
        database.ExecuteAsync(ReleaseLeases, new { Owner = owner }, ct);

    public async Task<NotificationStats> StatsAsync(CancellationToken ct) =>
        await database.QuerySingleOrDefaultAsync<NotificationStats>(Stats, null, ct) ?? new NotificationStats();
}

/// <summary>One attempt and what it means: delivered, retried at <see cref="NextAttemptAt"/>, or (null) DEAD.</summary>
public sealed record DeliveryAttempt(
    string NotificationId,
    string Dispatcher,
    DateTimeOffset AttemptedAt,
    int? HttpStatus,
    long LatencyMs,
    bool Delivered,
    string? Error,
    DateTimeOffset? NextAttemptAt);
