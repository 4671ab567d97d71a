using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>One attempt at the back end, as support sees it.</summary>
public sealed record CommandAttempt
{
    public DateTimeOffset AttemptedAt { get; init; }

    public required string Instance { get; init; }

    public required string Operation { get; init; }

    public int? HttpStatus { get; init; }

    public long LatencyMs { get; init; }

    public required string Outcome { get; init; }

    public string? Error { get; init; }
}

/// <summary>Counts for the gauges and the overview.</summary>
public sealed record CommandStats
{
    public long Open { get; init; }

    public DateTimeOffset? OldestOpenCreatedAt { get; init; }

    public long Refused { get; init; }

    public long Failed { get; init; }
}

/// <summary>
/// The back-end commands (db/*/0014_backend.sql). A command is opened in the transaction of what caused it, claimed
/// with a lease by whoever sends it (a Google call, or the resolver job), and ended once: the state change from open is
/// a compare-and-set, so of two instances resolving one command, one completes it.
/// </summary>
public sealed class CommandStore(Database database, CommandSignal signal, IOptions<BackendOptions> options)
{
    public const string Columns = """
        command_id, kind, command_key, payment_integrator_account_id, request_id, hold_id, reservation_id,
        capture_id, refund_id, account_id, currency_code, amount_micros, description, expires_at, state, outcome, reference,
        hold_reference, attempt_count, next_attempt_at, lease_owner, lease_expires_at, last_error, created_at, updated_at, resolved_at
        """;

    /// <summary>Names this instance in leases and attempts.</summary>
    public string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Ids.New()[^8..]}";

    private const string Insert = """
        INSERT INTO backend_commands (command_id, kind, command_key, payment_integrator_account_id, request_id, hold_id,
            reservation_id, capture_id, refund_id, account_id, currency_code, amount_micros, description, expires_at, state,
            hold_reference, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
        VALUES (@CommandId, @Kind, @CommandKey, @PaymentIntegratorAccountId, @RequestId, @HoldId,
            @ReservationId, @CaptureId, @RefundId, @AccountId, @CurrencyCode, @AmountMicros, @Description, @ExpiresAt, 'PENDING',
            @HoldReference, @Due, @Owner, @LeaseUntil, @Now, @Now)
        """;

    private const string ByKey = $"SELECT {Columns} FROM backend_commands WHERE command_key = @CommandKey";

    private const string HoldReference = "SELECT reference FROM backend_commands WHERE command_key = @HoldId AND kind = 'HOLD'";

    private const string ById = $"SELECT {Columns} FROM backend_commands WHERE command_id = @CommandId";

    // A command that ended in an error Google was not told to remember (the back end refused the request, or the hold
    // was in another state) is opened again when Google retries the call: the back end decides anew, under the same key.
    private const string Reopen = """
        UPDATE backend_commands
        SET state = 'PENDING', outcome = NULL, next_attempt_at = @Due, updated_at = @Now, resolved_at = NULL,
            account_id = @AccountId, amount_micros = @AmountMicros, currency_code = @CurrencyCode, description = @Description,
            lease_owner = @Owner, lease_expires_at = @LeaseUntil
        WHERE command_key = @CommandKey AND state IN ('FAILED', 'REFUSED')
        """;

    private const string Due = """
        next_attempt_at IS NOT NULL AND next_attempt_at <= @Now AND (lease_expires_at IS NULL OR lease_expires_at <= @Now)
        """;

    private const string FindDue = $"SELECT command_id FROM backend_commands WHERE {Due} ORDER BY next_attempt_at";

    private const string Claim = $"""
        UPDATE backend_commands SET lease_owner = @Owner, lease_expires_at = @LeaseUntil
        WHERE command_id = @CommandId AND state IN ('PENDING', 'AWAITING') AND (lease_expires_at IS NULL OR lease_expires_at <= @Now)
        """;

    private const string InsertAttempt = """
        INSERT INTO backend_command_attempts (attempt_id, command_id, attempted_at, instance, operation, http_status, latency_ms, outcome, error)
        VALUES (@AttemptId, @CommandId, @AttemptedAt, @Instance, @Operation, @HttpStatus, @LatencyMs, @Outcome, @Error)
        """;

    private const string Reschedule = """
        UPDATE backend_commands
        SET state = @State, attempt_count = attempt_count + 1, next_attempt_at = @NextAttemptAt, last_error = @Error,
            reference = COALESCE(@Reference, reference), updated_at = @Now, lease_owner = NULL, lease_expires_at = NULL
        WHERE command_id = @CommandId AND state IN ('PENDING', 'AWAITING') AND lease_owner = @Owner
        """;

    // The one end of a command: from open to its final state, once.
    private const string Resolve = """
        UPDATE backend_commands
        SET state = @State, outcome = @Outcome, reference = COALESCE(@Reference, reference), attempt_count = attempt_count + @Attempted,
            next_attempt_at = NULL, last_error = @Error, updated_at = @Now, resolved_at = @Now, lease_owner = NULL, lease_expires_at = NULL
        WHERE command_id = @CommandId AND state IN ('PENDING', 'AWAITING')
        """;

    // Support's "retry now": an open command is due at once; a failed release (no Google call will retry it) is reopened.
    private const string RetryNow = """
        UPDATE backend_commands
        SET state = CASE WHEN state = 'FAILED' THEN 'PENDING' ELSE state END, outcome = NULL, resolved_at = NULL,
            next_attempt_at = @Now, updated_at = @Now
        WHERE command_id = @CommandId AND (state IN ('PENDING', 'AWAITING') OR (state = 'FAILED' AND kind = 'RELEASE'))
        """;

    private const string ReleaseLeases = "UPDATE backend_commands SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = @Owner";

    private const string OfReservation = $"SELECT {Columns} FROM backend_commands WHERE reservation_id = @ReservationId ORDER BY created_at, command_id";

    private const string OfHold = $"SELECT {Columns} FROM backend_commands WHERE hold_id = @HoldId AND state IN ('PENDING', 'AWAITING')";

    private const string OfReference = $"""
        SELECT {Columns} FROM backend_commands
        WHERE (reference = @Reference OR hold_reference = @Reference) AND state IN ('PENDING', 'AWAITING')
        """;

    private const string AttemptsOf = """
        SELECT attempted_at, instance, operation, http_status, latency_ms, outcome, error FROM backend_command_attempts
        WHERE command_id = @CommandId ORDER BY attempted_at, attempt_id
        """;

    private const string Stats = """
        SELECT (SELECT COUNT(*) FROM backend_commands WHERE state IN ('PENDING', 'AWAITING')) AS open,
               (SELECT MIN(created_at) FROM backend_commands WHERE state IN ('PENDING', 'AWAITING')) AS oldest_open_created_at,
               (SELECT COUNT(*) FROM backend_commands WHERE state = 'REFUSED') AS refused,
               (SELECT COUNT(*) FROM backend_commands WHERE state = 'FAILED') AS failed
        """;

    private const string Stuck = $"""
        SELECT {Columns} FROM backend_commands WHERE state IN ('PENDING', 'AWAITING') AND created_at <= @Before ORDER BY created_at
        """;

    /// <summary>
    /// Opens a command in the caller's transaction; the same key opened again (Google's retry after an error answer)
    /// reopens that command. A command a Google call waits for is opened leased to this instance, which sends it as soon
    /// as the transaction commits (another instance takes it over when the lease runs out); a release, which no call
    /// waits for, is due at once for the resolver, woken after the commit. Returns the command as stored.
    /// </summary>
    public async Task<BackendCommand> OpenAsync(DbTx tx, BackendCommand command, DateTimeOffset now, CancellationToken ct)
    {
        var waited = command.Kind != CommandKind.Release;
        if (!waited)
        {
            tx.AfterCommit(signal.Wake);
        }

        var leaseUntil = now + options.Value.Lease;
        var lease = new { Owner = waited ? Instance : null, LeaseUntil = waited ? leaseUntil : (DateTimeOffset?)null, Due = waited ? leaseUntil : now };
        if (await tx.QuerySingleOrDefaultAsync<BackendCommand>(ByKey, new { command.CommandKey }, ct) is not null)
        {
            await tx.ExecuteAsync(
                Reopen,
                new { command.CommandKey, command.AccountId, command.AmountMicros, command.CurrencyCode, command.Description, Now = now, lease.Owner, lease.LeaseUntil, lease.Due },
                ct);
            return (await tx.QuerySingleOrDefaultAsync<BackendCommand>(ByKey, new { command.CommandKey }, ct))!;
        }

        var holdReference = command.Kind == CommandKind.Hold ? null : await tx.QuerySingleOrDefaultAsync<string>(HoldReference, new { command.HoldId }, ct);
        await tx.ExecuteAsync(Insert, new
        {
            command.CommandId,
            command.Kind,
            command.CommandKey,
            command.PaymentIntegratorAccountId,
            command.RequestId,
            command.HoldId,
            command.ReservationId,
            command.CaptureId,
            command.RefundId,
            command.AccountId,
            command.CurrencyCode,
            command.AmountMicros,
            command.Description,
            command.ExpiresAt,
            Now = now,
            HoldReference = holdReference,
            lease.Owner,
            lease.LeaseUntil,
            lease.Due,
        }, ct);
        return command with
        {
            State = CommandState.Pending,
            HoldReference = holdReference,
            NextAttemptAt = lease.Due,
            LeaseOwner = lease.Owner,
            LeaseExpiresAt = lease.LeaseUntil,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public Task<BackendCommand?> FindByKeyAsync(string commandKey, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<BackendCommand>(ByKey, new { CommandKey = commandKey }, ct);

    public Task<BackendCommand?> FindAsync(string commandId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<BackendCommand>(ById, new { CommandId = commandId }, ct);

    public Task<BackendCommand?> FindAsync(DbTx tx, string commandId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<BackendCommand>(ById, new { CommandId = commandId }, ct);

    /// <summary>Claims a command for one attempt; false if it is resolved or another holds it.</summary>
    public async Task<bool> TryClaimAsync(string commandId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct) =>
        await database.ExecuteAsync(Claim, new { CommandId = commandId, Owner = owner, Now = now, LeaseUntil = leaseUntil }, ct) == 1;

    /// <summary>The due commands' ids, oldest due first (an idle poll only reads).</summary>
    public Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int batch, CancellationToken ct) =>
        database.QueryAsync<string>($"{FindDue} {database.Dialect.Limit("@Batch")}", new { Now = now, Batch = batch }, ct);

    /// <summary>Records an attempt that left the command open, and when it is tried next; the lease is given up.</summary>
    public Task RescheduleAsync(
        BackendCommand command, string owner, string operation, BackendResult result, CommandState state, DateTimeOffset now, DateTimeOffset next, CancellationToken ct) =>
        database.WriteAsync(
            async (tx, token) =>
            {
                await RecordAttemptAsync(tx, command, owner, operation, result, now, token);
                await tx.ExecuteAsync(
                    Reschedule,
                    new { command.CommandId, State = state, NextAttemptAt = next, result.Error, result.Reference, Now = now, Owner = owner },
                    token);
            },
            ct);

    /// <summary>
    /// Ends an open command with its final state, in the caller's transaction, recording the attempt that ended it;
    /// false if it had already ended (another instance resolved it).
    /// </summary>
    public async Task<bool> TryResolveAsync(
        DbTx tx, BackendCommand command, string owner, string operation, BackendResult result, CommandState state, DateTimeOffset now, CancellationToken ct)
    {
        var resolved = await tx.ExecuteAsync(
            Resolve,
            new
            {
                command.CommandId,
                State = state,
                Outcome = result.Describe(),
                result.Reference,
                Attempted = 1,
                Error = state == CommandState.Confirmed ? null : result.Error,
                Now = now,
            },
            ct) == 1;
        if (resolved)
        {
            await RecordAttemptAsync(tx, command, owner, operation, result, now, ct);
        }

        return resolved;
    }

    /// <summary>Support's "retry now" (and an event from the back end): due at once; false if it has ended for good.</summary>
    public async Task<bool> RetryNowAsync(DbTx tx, string commandId, DateTimeOffset now, CancellationToken ct)
    {
        var due = await tx.ExecuteAsync(RetryNow, new { CommandId = commandId, Now = now }, ct) == 1;
        if (due)
        {
            tx.AfterCommit(signal.Wake);
        }

        return due;
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken ct) => database.ExecuteAsync(ReleaseLeases, new { Owner = owner }, ct);

    public Task<IReadOnlyList<BackendCommand>> OfReservationAsync(string reservationId, CancellationToken ct) =>
        database.QueryAsync<BackendCommand>(OfReservation, new { ReservationId = reservationId }, ct);

    /// <summary>The open commands of a hold (an event from the back end names the hold).</summary>
    public Task<IReadOnlyList<BackendCommand>> OpenOfHoldAsync(string holdId, CancellationToken ct) =>
        database.QueryAsync<BackendCommand>(OfHold, new { HoldId = holdId }, ct);

    /// <summary>The open commands of what the back end calls <paramref name="reference"/> (a Mollie payment's webhook names it).</summary>
    public Task<IReadOnlyList<BackendCommand>> OpenOfReferenceAsync(string reference, CancellationToken ct) =>
        database.QueryAsync<BackendCommand>(OfReference, new { Reference = reference }, ct);

    public Task<IReadOnlyList<CommandAttempt>> AttemptsAsync(string commandId, CancellationToken ct) =>
        database.QueryAsync<CommandAttempt>(AttemptsOf, new { CommandId = commandId }, ct);

    public async Task<CommandStats> StatsAsync(CancellationToken ct) =>
        (await database.QuerySingleOrDefaultAsync<CommandStats>(Stats, null, ct))!;

    /// <summary>Commands still open that were opened before <paramref name="before"/> (the overview's "unconfirmed").</summary>
    public Task<IReadOnlyList<BackendCommand>> StuckAsync(DateTimeOffset before, int limit, CancellationToken ct) =>
        database.QueryAsync<BackendCommand>($"{Stuck} {database.Dialect.Limit("@Limit")}", new { Before = before, Limit = limit }, ct);

    private static Task<int> RecordAttemptAsync(
        DbTx tx, BackendCommand command, string owner, string operation, BackendResult result, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync(
            InsertAttempt,
            new
            {
                AttemptId = Ids.New(),
                command.CommandId,
                AttemptedAt = now,
                Instance = owner,
                Operation = operation,
                result.HttpStatus,
                result.LatencyMs,
                Outcome = result.Describe(),
                result.Error,
            },
            ct);
}
