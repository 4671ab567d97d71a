using Integrator.Core.Ledger;
using Integrator.Core.Storage;

namespace Integrator.Core.Reservations;

/// <summary>Reservations and their state history. Transitions are compare-and-set on the current state.</summary>
public sealed class ReservationStore(Database database, ILedger ledger)
{
    public const string Columns = """
        reservation_id, payment_integrator_account_id, reserve_request_id, account_id, currency_code, amount_micros,
        state, created_at, expires_at, updated_at, capture_id, captured_amount_micros
        """;

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

    private const string Transition = """
        UPDATE reservations SET state = @To, updated_at = @Now
        WHERE reservation_id = @ReservationId AND state = @From
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

    public async Task InsertAsync(DbTx tx, Reservation reservation, string requestId, CancellationToken ct)
    {
        await tx.ExecuteAsync(Insert, reservation, ct);
        await RecordAsync(tx, reservation.ReservationId, null, ReservationState.Reserved, new Cause(TransitionCauses.ReserveFunds, requestId), reservation.CreatedAt, ct);
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
            await RecordAsync(tx, reservation.ReservationId, reservation.State, to, cause, now, ct);
        }

        return moved;
    }

    /// <summary>
    /// Ends a live reservation (CANCELLED or EXPIRED) and releases its hold on the account, together; false if someone
    /// else moved it first. The one way a hold is released without a capture: Google's cancel, the sweeper, support.
    /// </summary>
    public async Task<bool> TryReleaseAsync(DbTx tx, Reservation reservation, ReservationState to, Cause cause, DateTimeOffset now, CancellationToken ct)
    {
        if (!await TryTransitionAsync(tx, reservation, to, cause, now, ct))
        {
            return false;
        }

        await ledger.ReleaseHoldAsync(tx, reservation.AccountId, reservation.AmountMicros, now, ct);
        return true;
    }

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
            await RecordAsync(tx, reservation.ReservationId, ReservationState.Reserved, ReservationState.Captured, cause, now, ct);
        }

        return captured;
    }

    /// <summary>The reservation's capture, if it was captured (support lookups).</summary>
    public Task<Capture?> FindCaptureAsync(string reservationId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<Capture>(CaptureOf, new { ReservationId = reservationId }, ct);

    private static Task<int> RecordAsync(
        DbTx tx, string reservationId, ReservationState? from, ReservationState to, Cause cause, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync(
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
            },
            ct);
}

/// <summary>Who or what changed a reservation: a Google request, the sweeper, or a support user with a reason.</summary>
public sealed record Cause(string Kind, string? RequestId = null, string? Actor = null, string? Reason = null);
