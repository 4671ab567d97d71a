using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Reservations;

/// <summary>
/// Reservations and their state history. Transitions are compare-and-set on the current state. Where the hold lives
/// decides what a release does: in the embedded ledger it is released in the same transaction; at a remote back end a
/// RELEASE command is opened in it, to be sent once the transaction commits.
/// </summary>
public sealed class ReservationStore(Database database, ILedger ledger, CommandStore commands, IOptions<BackendOptions> backend)
{
    public const string Columns = """
        reservation_id, payment_integrator_account_id, reserve_request_id, account_id, currency_code, amount_micros,
        state, created_at, expires_at, updated_at, capture_id, captured_amount_micros
        """;

    private const string FindById = $"SELECT {Columns} FROM reservations WHERE reservation_id = @ReservationId";

    private const string FindByRequest = $"""
        SELECT {Columns} FROM reservations
        WHERE payment_integrator_account_id = @AccountId AND reserve_request_id = @ReserveRequestId
        """;

    private const string Insert = """
        INSERT INTO reservations (reservation_id, payment_integrator_account_id, reserve_request_id, account_id,
                                  currency_code, amount_micros, state, created_at, expires_at, updated_at)
        VALUES (@ReservationId, @PaymentIntegratorAccountId, @ReserveRequestId, @AccountId,
                @CurrencyCode, @AmountMicros, 'RESERVED', @CreatedAt, @ExpiresAt, @CreatedAt)
        """;

    // A reservation whose capture is on its way to the back end is not released under it.
    private const string Transition = """
        UPDATE reservations SET state = @To, updated_at = @Now
        WHERE reservation_id = @ReservationId AND state = @From AND capture_id IS NULL
        """;

    // One capture at a time: the second finds the first's capture id and waits for its outcome.
    private const string StartCapture = """
        UPDATE reservations SET capture_id = @CaptureId, updated_at = @Now
        WHERE reservation_id = @ReservationId AND state = 'RESERVED' AND capture_id IS NULL
        """;

    private const string EndCapture = """
        UPDATE reservations SET capture_id = NULL, updated_at = @Now
        WHERE reservation_id = @ReservationId AND state = 'RESERVED' AND capture_id = @CaptureId
        """;

    private const string MarkCaptured = """
        UPDATE reservations
        SET state = 'CAPTURED', capture_id = @CaptureId, captured_amount_micros = @Amount, updated_at = @Now
        WHERE reservation_id = @ReservationId AND state = 'RESERVED'
        """;

    public const string CaptureColumns = """
        capture_id, payment_integrator_account_id, capture_request_id, reservation_id, account_id, currency_code,
        amount_micros, refunded_micros, captured_at
        """;

    private const string InsertCapture = """
        INSERT INTO captures (capture_id, payment_integrator_account_id, capture_request_id, reservation_id, account_id,
                              currency_code, amount_micros, captured_at)
        VALUES (@CaptureId, @PaymentIntegratorAccountId, @CaptureRequestId, @ReservationId, @AccountId, @CurrencyCode, @Amount, @Now)
        """;

    private const string CaptureOf = $"SELECT {CaptureColumns} FROM captures WHERE reservation_id = @ReservationId";

    private const string InsertEvent = """
        INSERT INTO reservation_events (event_id, reservation_id, occurred_at, from_state, to_state, cause, request_id, actor, reason)
        VALUES (@EventId, @ReservationId, @OccurredAt, @FromState, @ToState, @Cause, @RequestId, @Actor, @Reason)
        """;

    /// <summary>A read outside any transaction (support lookups).</summary>
    public Task<Reservation?> FindAsync(string accountId, string reserveRequestId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<Reservation>(FindByRequest, new { AccountId = accountId, ReserveRequestId = reserveRequestId }, ct);

    public Task<Reservation?> FindAsync(DbTx tx, string accountId, string reserveRequestId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<Reservation>(FindByRequest, new { AccountId = accountId, ReserveRequestId = reserveRequestId }, ct);

    public Task<Reservation?> FindAsync(DbTx tx, string reservationId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<Reservation>(FindById, new { ReservationId = reservationId }, ct);

    public async Task InsertAsync(DbTx tx, Reservation reservation, string requestId, CancellationToken ct)
    {
        await tx.ExecuteAsync(Insert, reservation, ct);
        Record(tx, reservation.ReservationId, null, ReservationState.Reserved, new Cause(TransitionCauses.ReserveFunds, requestId), reservation.CreatedAt);
    }

    /// <summary>Moves the reservation from its current state; false if someone else moved it first.</summary>
    private async Task<bool> TryTransitionAsync(DbTx tx, Reservation reservation, ReservationState to, Cause cause, DateTimeOffset now, CancellationToken ct)
    {
        var moved = await tx.ExecuteAsync(
            Transition,
            new { reservation.ReservationId, From = reservation.State, To = to, Now = now },
            ct) == 1;
        if (moved)
        {
            Record(tx, reservation.ReservationId, reservation.State, to, cause, now);
        }

        return moved;
    }

    /// <summary>
    /// Ends a live reservation (CANCELLED or EXPIRED) and releases its hold, together; false if someone else moved it
    /// first, or its capture is on its way. The one way a hold is released without a capture: Google's cancel, the
    /// sweeper, support.
    /// </summary>
    public async Task<bool> TryReleaseAsync(DbTx tx, Reservation reservation, ReservationState to, Cause cause, DateTimeOffset now, CancellationToken ct)
    {
        if (!await TryTransitionAsync(tx, reservation, to, cause, now, ct))
        {
            return false;
        }

        if (backend.Value.IsRemote)
        {
            await OpenReleaseAsync(tx, reservation, cause, now, ct);
        }
        else
        {
            await ledger.ReleaseHoldAsync(tx, reservation.AccountId, reservation.AmountMicros, now, ct);
        }

        return true;
    }

    /// <summary>
    /// Opens the RELEASE command of a reservation's hold at the remote back end. Google's cancel opens its own, under the
    /// cancel's key, also for a reservation already released (the back end's confirmation is what its notification
    /// waits for); a release Integrator decides is keyed on the reservation.
    /// </summary>
    public Task<BackendCommand> OpenReleaseAsync(DbTx tx, Reservation reservation, Cause cause, DateTimeOffset now, CancellationToken ct)
    {
        var cancel = cause.Kind == TransitionCauses.CancelFunds ? cause.RequestId : null;
        return commands.OpenAsync(
            tx,
            new BackendCommand
            {
                CommandId = Ids.New(),
                Kind = CommandKind.Release,
                CommandKey = cancel is null ? Keys.ReleaseOf(reservation.ReservationId) : Keys.Of(new IdempotencyKey(reservation.PaymentIntegratorAccountId, cancel)),
                PaymentIntegratorAccountId = reservation.PaymentIntegratorAccountId,
                RequestId = cancel,
                HoldId = HoldOf(reservation),
                ReservationId = reservation.ReservationId,
                AccountId = reservation.AccountId,
                CurrencyCode = reservation.CurrencyCode,
                AmountMicros = reservation.AmountMicros,
                Description = TransitionCauses.ReleaseReason(cause.Kind),
            },
            now,
            ct);
    }

    /// <summary>The hold at the back end: the key of the HOLD command reserveFunds opened.</summary>
    public static string HoldOf(Reservation reservation) =>
        Keys.Of(new IdempotencyKey(reservation.PaymentIntegratorAccountId, reservation.ReserveRequestId));

    /// <summary>
    /// Marks the reservation's capture as on its way to the back end (RESERVED with its capture id): until it ends,
    /// nothing releases the reservation and no second capture starts. False if the reservation moved or another
    /// capture is on its way.
    /// </summary>
    public async Task<bool> TryStartCaptureAsync(DbTx tx, Reservation reservation, string captureId, DateTimeOffset now, CancellationToken ct) =>
        await tx.ExecuteAsync(StartCapture, new { reservation.ReservationId, CaptureId = captureId, Now = now }, ct) == 1;

    /// <summary>A capture that did not happen at the back end: the reservation is live again.</summary>
    public Task EndCaptureAsync(DbTx tx, string reservationId, string captureId, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync(EndCapture, new { ReservationId = reservationId, CaptureId = captureId, Now = now }, ct);

    /// <summary>
    /// Records the capture: CAPTURED, its capture row and history, and (embedded) the debit; false if someone else
    /// moved the reservation first.
    /// </summary>
    public async Task<bool> TryCaptureAsync(
        DbTx tx, Reservation reservation, string captureId, long amountMicros, Cause cause, DateTimeOffset now, CancellationToken ct)
    {
        var captured = await tx.ExecuteAsync(
            MarkCaptured,
            new { reservation.ReservationId, CaptureId = captureId, Amount = amountMicros, Now = now },
            ct) == 1;
        if (captured)
        {
            await tx.ExecuteAsync(
                InsertCapture,
                new
                {
                    CaptureId = captureId,
                    reservation.PaymentIntegratorAccountId,
                    CaptureRequestId = cause.RequestId,
                    reservation.ReservationId,
                    reservation.AccountId,
                    reservation.CurrencyCode,
                    Amount = amountMicros,
                    Now = now,
                },
                ct);
            Record(tx, reservation.ReservationId, ReservationState.Reserved, ReservationState.Captured, cause, now);
            if (!backend.Value.IsRemote)
            {
                await ledger.CaptureAsync(tx, reservation.AccountId, reservation.AmountMicros, amountMicros, now, ct);
            }
        }

        return captured;
    }

    /// <summary>The reservation's capture, if it was captured (support lookups).</summary>
    public Task<Capture?> FindCaptureAsync(string reservationId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<Capture>(CaptureOf, new { ReservationId = reservationId }, ct);

    /// <summary>The transition's history row, held for the write's next statement (<see cref="DbTx.ExecuteLater"/>).</summary>
    private static void Record(DbTx tx, string reservationId, ReservationState? from, ReservationState to, Cause cause, DateTimeOffset now) =>
        tx.ExecuteLater(
            InsertEvent,
            new
            {
                EventId = Ids.New(),
                ReservationId = reservationId,
                OccurredAt = now,
                FromState = from,
                ToState = to,
                Cause = cause.Kind,
                cause.RequestId,
                cause.Actor,
                cause.Reason,
            });
}

/// <summary>Who or what changed a reservation: a Google request, the sweeper, or a support user with a reason.</summary>
public sealed record Cause(string Kind, string? RequestId = null, string? Actor = null, string? Reason = null);
