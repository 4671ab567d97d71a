using Integrator.Core.Storage;

namespace Integrator.Core.Remittance;

/// <summary>A statement as its notification brought it.</summary>
public sealed record NewStatement(
    string StatementRowId,
    string PaymentIntegratorAccountId,
    string StatementId,
    string SummaryJson,
    string CurrencyCode,
    long TotalDueMicros,
    DateTimeOffset BillingStart,
    DateTimeOffset BillingEnd,
    DateTimeOffset? DateDue,
    DateTimeOffset ReceivedAt);

/// <summary>A statement claimed by the reconciliation job: what it needs to do the next step.</summary>
public sealed record ClaimedStatement
{
    public required string StatementRowId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public required string StatementId { get; init; }

    public StatementStatus Status { get; init; }

    public long TotalDueMicros { get; init; }

    public DateTimeOffset BillingStart { get; init; }

    public DateTimeOffset BillingEnd { get; init; }

    public string? AcceptRequestId { get; init; }

    public long AttemptCount { get; init; }
}

/// <summary>One event of a statement as Google listed it.</summary>
public sealed record StatementEventRow(int Position, string Kind, string EventRequestId, string? PaymentIntegratorEventId, long ChargeMicros, long FeeMicros);

/// <summary>A difference reconciliation found between Google's statement and our records.</summary>
public sealed record StatementDifference(string Kind, string? RequestId, long? OursMicros, long? GoogleMicros, string Detail);

/// <summary>One call to Google for a statement, recorded like a notification attempt.</summary>
public sealed record StatementCall(
    string StatementRowId, string Method, string RequestId, DateTimeOffset AttemptedAt, string Dispatcher, int? HttpStatus, long LatencyMs, bool Ok, string? Error);

public sealed record StatementStats
{
    public long Received { get; init; }

    public long Matched { get; init; }

    public long Discrepancy { get; init; }

    public long Accepted { get; init; }

    /// <summary>received_at of the oldest statement not yet reconciled and accepted (a discrepancy counts until support acts).</summary>
    public DateTimeOffset? OldestUnreconciledReceivedAt { get; init; }
}

/// <summary>
/// Statements and the durable reconciliation job over them. A statement is due while next_attempt_at is set; it is
/// claimed with a lease (compare-and-set on one row, so instances never work one statement together and a crashed
/// instance's claim runs out), and only the lease owner may record the step's result.
/// </summary>
public sealed class StatementStore(Database database)
{
    /// <summary>Differences stored per transaction (events go a page per transaction).</summary>
    private const int BatchSize = 1000;

    public const string Columns = """
        statement_row_id, payment_integrator_account_id, statement_id, status, total_due_micros, billing_start, billing_end,
        accept_request_id, attempt_count
        """;

    private const string FindRowId = """
        SELECT statement_row_id FROM remittance_statements WHERE payment_integrator_account_id = @PaymentIntegratorAccountId AND statement_id = @StatementId
        """;

    private const string Insert = """
        INSERT INTO remittance_statements (statement_row_id, payment_integrator_account_id, statement_id, summary_json, currency_code,
            total_due_micros, billing_start, billing_end, date_due, status, received_at, updated_at, next_attempt_at)
        VALUES (@StatementRowId, @PaymentIntegratorAccountId, @StatementId, @SummaryJson, @CurrencyCode,
            @TotalDueMicros, @BillingStart, @BillingEnd, @DateDue, 'RECEIVED', @ReceivedAt, @ReceivedAt, @ReceivedAt)
        """;

    private const string Due = "next_attempt_at <= @Now AND (lease_expires_at IS NULL OR lease_expires_at <= @Now)";

    private const string FindDue = $"SELECT statement_row_id FROM remittance_statements WHERE {Due} ORDER BY next_attempt_at";

    private const string Claim = $"""
        UPDATE remittance_statements SET lease_owner = @Owner, lease_expires_at = @LeaseUntil
        WHERE statement_row_id = @StatementRowId AND {Due}
        """;

    private const string ClaimedRow = $"SELECT {Columns} FROM remittance_statements WHERE statement_row_id = @StatementRowId";

    private const string InsertCall = """
        INSERT INTO remittance_calls (call_id, statement_row_id, method, request_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error)
        VALUES (@CallId, @StatementRowId, @Method, @RequestId, @AttemptedAt, @Dispatcher, @HttpStatus, @LatencyMs, @Outcome, @Error)
        """;

    private const string Reschedule = """
        UPDATE remittance_statements
        SET attempt_count = attempt_count + 1, next_attempt_at = @NextAttemptAt, last_error = @Error, updated_at = @Now,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE statement_row_id = @StatementRowId AND lease_owner = @Owner
        """;

    private const string Reconciled = """
        UPDATE remittance_statements
        SET status = @Status, event_count = @EventCount, accept_request_id = @AcceptRequestId, next_attempt_at = @NextAttemptAt,
            attempt_count = 0, last_error = NULL, updated_at = @Now, lease_owner = NULL, lease_expires_at = NULL
        WHERE statement_row_id = @StatementRowId AND lease_owner = @Owner AND status = 'RECEIVED'
        """;

    private const string InsertEvent = """
        INSERT INTO remittance_events (event_row_id, statement_row_id, position, kind, event_request_id, payment_integrator_event_id, charge_micros, fee_micros)
        VALUES (@EventRowId, @StatementRowId, @Position, @Kind, @EventRequestId, @PaymentIntegratorEventId, @ChargeMicros, @FeeMicros)
        """;

    private const string DeleteEvents = "DELETE FROM remittance_events WHERE statement_row_id = @StatementRowId";

    private const string DeleteDifferences = "DELETE FROM remittance_differences WHERE statement_row_id = @StatementRowId";

    private const string InsertDifference = """
        INSERT INTO remittance_differences (difference_id, statement_row_id, kind, request_id, ours_micros, google_micros, detail)
        VALUES (@DifferenceId, @StatementRowId, @Kind, @RequestId, @OursMicros, @GoogleMicros, @Detail)
        """;

    private const string Accepted = """
        UPDATE remittance_statements
        SET status = 'ACCEPTED', accepted_at = @Now, next_attempt_at = NULL, attempt_count = 0, last_error = NULL, updated_at = @Now,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE statement_row_id = @StatementRowId AND lease_owner = @Owner AND status IN ('MATCHED', 'DISCREPANCY')
        """;

    private const string Renew = """
        UPDATE remittance_statements SET lease_expires_at = @LeaseUntil WHERE statement_row_id = @StatementRowId AND lease_owner = @Owner
        """;

    private const string ReleaseLeases = """
        UPDATE remittance_statements SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = @Owner
        """;

    private const string Stats = """
        SELECT (SELECT COUNT(*) FROM remittance_statements WHERE status = 'RECEIVED') AS received,
               (SELECT COUNT(*) FROM remittance_statements WHERE status = 'MATCHED') AS matched,
               (SELECT COUNT(*) FROM remittance_statements WHERE status = 'DISCREPANCY') AS discrepancy,
               (SELECT COUNT(*) FROM remittance_statements WHERE status = 'ACCEPTED') AS accepted,
               (SELECT MIN(received_at) FROM remittance_statements WHERE status <> 'ACCEPTED') AS oldest_unreconciled_received_at
        """;

    /// <returns>The statement's row id: the new one, or the one stored when this statement first arrived.</returns>
    public async Task<string> InsertOnceAsync(DbTx tx, NewStatement statement, CancellationToken ct)
    {
        if (await tx.QuerySingleOrDefaultAsync<string>(FindRowId, statement, ct) is { } existing)
        {
            return existing;
        }

        await tx.ExecuteAsync(Insert, statement, ct);
        return statement.StatementRowId;
    }

    /// <summary>Claims the statement that has been due longest, if any. An idle poll only reads.</summary>
    public async Task<ClaimedStatement?> ClaimNextAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var candidates = await database.QueryAsync<string>($"{FindDue} {database.Dialect.Limit("@Batch")}", new { Now = now, Batch = 4 }, ct);
        if (candidates.Count == 0)
        {
            return null;
        }

        return await database.WriteAsync(
            async (tx, token) =>
            {
                foreach (var id in candidates)
                {
                    var args = new { StatementRowId = id, Owner = owner, Now = now, LeaseUntil = leaseUntil };
                    if (await tx.ExecuteAsync(Claim, args, token) == 1)
                    {
                        return Write.Commit(await tx.QuerySingleOrDefaultAsync<ClaimedStatement>(ClaimedRow, args, token));
                    }
                }

                return Write.Commit<ClaimedStatement?>(null);
            },
            ct);
    }

    public Task RecordCallAsync(StatementCall call, CancellationToken ct) =>
        database.ExecuteAsync(
            InsertCall,
            new
            {
                CallId = Ids.New(),
                call.StatementRowId,
                call.Method,
                call.RequestId,
                call.AttemptedAt,
                call.Dispatcher,
                call.HttpStatus,
                call.LatencyMs,
                Outcome = call.Ok ? "OK" : "FAILED",
                call.Error,
            },
            ct);

    /// <summary>A failed step: tried again at <paramref name="nextAttemptAt"/> (never, if null), the lease given up.</summary>
    public Task RescheduleAsync(string statementRowId, string owner, string error, DateTimeOffset now, DateTimeOffset? nextAttemptAt, CancellationToken ct) =>
        database.ExecuteAsync(
            Reschedule,
            new { StatementRowId = statementRowId, Owner = owner, Error = error, Now = now, NextAttemptAt = nextAttemptAt },
            ct);

    /// <summary>
    /// Starts (or starts again) a reconciliation: drops what an earlier attempt left half-stored and renews the lease;
    /// false if this job no longer holds the statement.
    /// </summary>
    public Task<bool> BeginReconciliationAsync(string statementRowId, string owner, DateTimeOffset leaseUntil, CancellationToken ct) =>
        UnderLeaseAsync(statementRowId, owner, leaseUntil, async (tx, key, token) =>
        {
            await tx.ExecuteAsync(DeleteEvents, key, token);
            await tx.ExecuteAsync(DeleteDifferences, key, token);
        }, ct);

    /// <summary>Stores one page's events in a transaction of its own, renewing the lease; false if the lease was lost.</summary>
    public Task<bool> SaveEventsAsync(
        string statementRowId, string owner, IReadOnlyList<StatementEventRow> events, DateTimeOffset leaseUntil, CancellationToken ct) =>
        UnderLeaseAsync(statementRowId, owner, leaseUntil, (tx, _, token) => tx.ExecuteAsync(
            InsertEvent,
            events.Select(e => new
            {
                EventRowId = Ids.New(),
                StatementRowId = statementRowId,
                e.Position,
                e.Kind,
                e.EventRequestId,
                e.PaymentIntegratorEventId,
                e.ChargeMicros,
                e.FeeMicros,
            }).ToList(),
            token), ct);

    /// <summary>
    /// Stores the differences (a batch per transaction) and, last, the verdict; false (and no verdict) if this job no
    /// longer holds the statement.
    /// </summary>
    public async Task<bool> SaveVerdictAsync(
        string statementRowId,
        string owner,
        int eventCount,
        IReadOnlyList<StatementDifference> differences,
        string? acceptRequestId,
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        CancellationToken ct)
    {
        foreach (var batch in differences.Chunk(BatchSize))
        {
            var saved = await UnderLeaseAsync(statementRowId, owner, leaseUntil, (tx, _, token) => tx.ExecuteAsync(
                InsertDifference,
                batch.Select(d => new
                {
                    DifferenceId = Ids.New(),
                    StatementRowId = statementRowId,
                    d.Kind,
                    d.RequestId,
                    d.OursMicros,
                    d.GoogleMicros,
                    d.Detail,
                }).ToList(),
                token), ct);
            if (!saved)
            {
                return false;
            }
        }

        return await database.ExecuteAsync(
            Reconciled,
            new
            {
                StatementRowId = statementRowId,
                Owner = owner,
                Status = differences.Count == 0 ? StatementStatus.Matched : StatementStatus.Discrepancy,
                EventCount = eventCount,
                AcceptRequestId = acceptRequestId,
                NextAttemptAt = acceptRequestId is null ? (DateTimeOffset?)null : now,
                Now = now,
            },
            ct) == 1;
    }

    private Task<bool> UnderLeaseAsync(
        string statementRowId, string owner, DateTimeOffset leaseUntil, Func<DbTx, object, CancellationToken, Task> work, CancellationToken ct) =>
        database.WriteAsync(
            async (tx, token) =>
            {
                var key = new { StatementRowId = statementRowId, Owner = owner, LeaseUntil = leaseUntil };
                if (await tx.ExecuteAsync(Renew, key, token) != 1)
                {
                    return Write.RollBack(false);
                }

                await work(tx, key, token);
                return Write.Commit(true);
            },
            ct);

    /// <summary>Google confirmed acceptRemittanceStatement: the statement is done.</summary>
    public Task MarkAcceptedAsync(string statementRowId, string owner, DateTimeOffset now, CancellationToken ct) =>
        database.ExecuteAsync(Accepted, new { StatementRowId = statementRowId, Owner = owner, Now = now }, ct);

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken ct) =>
        database.ExecuteAsync(ReleaseLeases, new { Owner = owner }, ct);

    public async Task<StatementStats> StatsAsync(CancellationToken ct) =>
        await database.QuerySingleOrDefaultAsync<StatementStats>(Stats, null, ct) ?? new StatementStats();
}
