using Integrator.Core.Journal;
using Integrator.Core.Refunds;
using Integrator.Core.Reservations;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

public sealed record TransitionView
{
    public DateTimeOffset At { get; init; }

    public string? From { get; init; }

    public required string To { get; init; }

    public required string Cause { get; init; }

    public string? RequestId { get; init; }

    public string? Actor { get; init; }

    public string? Reason { get; init; }
}

public sealed record RequestSummary
{
    public required string CallId { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public required string Method { get; init; }

    public string? RequestId { get; init; }

    public required string Outcome { get; init; }

    public int HttpStatus { get; init; }

    public string? ErrorCode { get; init; }

    public long ReplayCount { get; init; }
}

public sealed record NotificationSummary
{
    public required string NotificationId { get; init; }

    /// <summary>The cancel request it reports on; none for a redirect's notification.</summary>
    public string? CancelRequestId { get; init; }

    public required string Status { get; init; }

    public long AttemptCount { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? LastError { get; init; }
}

/// <summary>A successful refund of the reservation's capture.</summary>
public sealed record RefundView(string PaymentIntegratorRefundId, string RefundRequestId, MoneyView Amount, DateTimeOffset CreatedAt);

/// <summary>The capture (what refunds name as captureRequestId), its refunds and what is left to refund.</summary>
public sealed record CaptureView(
    string CaptureRequestId,
    string PaymentIntegratorCaptureId,
    MoneyView Amount,
    DateTimeOffset CapturedAt,
    MoneyView Refunded,
    MoneyView Refundable,
    IReadOnlyList<RefundView> Refunds);

/// <summary>A reservation as support sees it (Caibo's "get payment request"): what it is, what happened to it, and why.</summary>
public sealed record ReservationView(
    string PaymentIntegratorAccountId,
    string ReserveFundsRequestId,
    string PaymentIntegratorTransactionId,
    string State,
    bool PastExpiry,
    string AccountId,
    MoneyView Amount,
    MoneyView? CapturedAmount,
    string? CaptureId,
    CaptureView? Capture,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<TransitionView> History,
    IReadOnlyList<RequestSummary> Requests,
    IReadOnlyList<NotificationSummary> Notifications,
    IReadOnlyList<AuditEntry> Audit)
{
    /// <summary>Its money movements at a remote back end (none with the embedded ledger), with every attempt.</summary>
    public IReadOnlyList<CommandView> BackendCommands { get; init; } = [];

    /// <summary>The back end refused to release its hold: it was captured outside Integrator (no notification was sent).</summary>
    public bool ReleaseRefused => BackendCommands.Any(c => c.Kind == "RELEASE" && c.State == "REFUSED");

    /// <summary>A capture is on its way to the back end: no release until it has an answer.</summary>
    public bool CaptureInProgress { get; init; }
}

/// <summary>What a manual release did (Caibo's impact report, Mollie's release authorization).</summary>
public sealed record ReleaseImpact(
    bool HoldReleased, string PreviousState, MoneyView? ReleasedAmount, string AccountId, string LaterGoogleCancelAnswers, bool NotificationSent);

public sealed record ReleaseReport(ReservationView Reservation, ReleaseImpact Impact);

/// <summary>Reservation lookup and manual release for support (README "Support API").</summary>
public sealed class ReservationSupport(
    Database database,
    ReservationStore reservations,
    RefundStore refunds,
    CommandSupport commands,
    SupportAudit audit,
    IOptions<FourEyesOptions> fourEyes,
    TimeProvider time)
{
    private const string History = """
        SELECT occurred_at AS at, from_state AS "from", to_state AS "to", cause, request_id, actor, reason FROM reservation_events
        WHERE reservation_id = @ReservationId ORDER BY occurred_at, event_id
        """;

    private const string Requests = $"""
        SELECT j.call_id, j.received_at, j.method, j.request_id, j.outcome, j.http_status, j.error_code,
               COALESCE(r.replay_count, 0) AS replay_count
        FROM {RequestJournal.WithReplays}
        WHERE j.payment_integrator_account_id = @AccountId
          AND (j.reserve_funds_request_id = @ReserveRequestId
               OR j.request_id IN (SELECT f.refund_request_id FROM refunds f JOIN captures c ON c.capture_id = f.capture_id
                                   WHERE c.reservation_id = @ReservationId))
        ORDER BY j.received_at, j.call_id
        """;

    private const string Notifications = """
        SELECT notification_id, cancel_request_id, status, attempt_count, created_at, delivered_at, last_error FROM outbox
        WHERE reservation_id = @ReservationId ORDER BY created_at, notification_id
        """;

    /// <summary>A reservation as <paramref name="reader"/> sees it; the read of customer data is audited.</summary>
    public async Task<Result<ReservationView, SupportError>> GetAsync(
        string accountId, string reserveRequestId, SupportActor reader, CancellationToken ct)
    {
        var reservation = await reservations.FindAsync(accountId, reserveRequestId, ct);
        await audit.RecordAsync(
            new SupportAudit.Entry(reader, "read reservation", Target(accountId, reserveRequestId), null, reservation is null ? "not found" : "shown"), ct);
        return reservation is null ? NotFound(accountId, reserveRequestId) : await ViewAsync(reservation, ct);
    }

    /// <summary>
    /// Releases the hold: RESERVED becomes CANCELLED (EXPIRED if it is past its expiry), with the actor and reason in its
    /// history. Already cancelled or expired: nothing to do, 200 with the current state. Captured: refused (409). No
    /// notification is sent: there is no Google cancel request to report; Google's own later cancel answers SUCCESS
    /// and gets its notification then.
    /// </summary>
    public Task<Result<ReleaseReport, SupportError>> ReleaseAsync(
        string accountId, string reserveRequestId, SupportActor actor, string? reason, CancellationToken ct) =>
        ReleaseAsync(accountId, reserveRequestId, actor, reason, approved: false, ct);

    /// <summary>A reservation as <see cref="GetAsync"/> shows it, without recording a read (a proposal's summary).</summary>
    public async Task<Result<ReservationView, SupportError>> FindAsync(string accountId, string reserveRequestId, CancellationToken ct) =>
        await reservations.FindAsync(accountId, reserveRequestId, ct) is { } reservation
            ? await ViewAsync(reservation, ct)
            : NotFound(accountId, reserveRequestId);

    /// <param name="approved">A second person approved it (<see cref="ProposalSupport"/>): four eyes are satisfied.</param>
    internal async Task<Result<ReleaseReport, SupportError>> ReleaseAsync(
        string accountId, string reserveRequestId, SupportActor actor, string? reason, bool approved, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: true) is { } invalid)
        {
            return invalid;
        }

        var target = Target(accountId, reserveRequestId);
        var outcome = await database.WriteAsync(
            async (tx, token) =>
            {
                while (true)
                {
                    var now = time.GetUtcNow();
                    var reservation = await reservations.FindAsync(tx, accountId, reserveRequestId, token);
                    if (reservation is null)
                    {
                        return Write.RollBack<Result<ReleaseImpact, SupportError>>(NotFound(accountId, reserveRequestId));
                    }

                    if (reservation.State == ReservationState.Captured)
                    {
                        await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "release", target, reason, "refused: captured"), token);
                        return Write.Commit<Result<ReleaseImpact, SupportError>>(
                            SupportError.Conflict("The reservation was captured: the money has moved and there is no hold to release."));
                    }

                    if (reservation.IsCapturing)
                    {
                        await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "release", target, reason, "refused: capture in progress"), token);
                        return Write.Commit<Result<ReleaseImpact, SupportError>>(
                            SupportError.Conflict("A capture of this reservation is on its way to the back end: release it only once the capture has an answer."));
                    }

                    if (!approved && reservation.State == ReservationState.Reserved && fourEyes.Value.ReleaseNeedsSecondPerson(reservation.AmountMicros))
                    {
                        await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "release", target, reason, "refused: needs a second person"), token);
                        return Write.Commit<Result<ReleaseImpact, SupportError>>(SupportError.Conflict(
                            $"Releasing a hold above {fourEyes.Value.ReleaseAbove} needs a second person here (Console:FourEyes:ReleaseAbove): propose it, and another Operator approves."));
                    }

                    var released = false;
                    if (reservation.State == ReservationState.Reserved)
                    {
                        var to = reservation.ReleasedStateAt(now);
                        var cause = new Cause(TransitionCauses.SupportRelease, Actor: actor.Name, Reason: reason);
                        if (!await reservations.TryReleaseAsync(tx, reservation, to, cause, now, token))
                        {
                            continue; // moved by a concurrent writer: judge its new state
                        }
                        released = true;
                    }

                    var impact = new ReleaseImpact(
                        released,
                        reservation.State.Wire,
                        released ? MoneyView.Of(reservation.AmountMicros, reservation.CurrencyCode) : null,
                        reservation.AccountId,
                        "SUCCESS",
                        NotificationSent: false);
                    await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "release", target, reason, released ? "released" : "already released", impact), token);
                    return Write.Commit<Result<ReleaseImpact, SupportError>>(impact);
                }
            },
            ct);
        if (outcome.Error is { } refused)
        {
            return refused;
        }

        var current = await reservations.FindAsync(accountId, reserveRequestId, ct);
        return new ReleaseReport(await ViewAsync(current!, ct), outcome.Value!);
    }

    private async Task<ReservationView> ViewAsync(Reservation reservation, CancellationToken ct)
    {
        var history = await database.QueryAsync<TransitionView>(History, new { reservation.ReservationId }, ct);
        var requests = await database.QueryAsync<RequestSummary>(
            Requests, new { AccountId = reservation.PaymentIntegratorAccountId, reservation.ReserveRequestId, reservation.ReservationId }, ct);
        var notifications = await database.QueryAsync<NotificationSummary>(Notifications, new { reservation.ReservationId }, ct);
        var currency = reservation.CurrencyCode;
        var capture = await reservations.FindCaptureAsync(reservation.ReservationId, ct) is { } captured
            ? new CaptureView(
                captured.CaptureRequestId,
                captured.CaptureId,
                MoneyView.Of(captured.AmountMicros, currency),
                captured.CapturedAt,
                MoneyView.Of(captured.RefundedMicros, currency),
                MoneyView.Of(captured.RefundableMicros, currency),
                (await refunds.ListAsync(captured.CaptureId, ct))
                    .Select(r => new RefundView(r.RefundId, r.RefundRequestId, MoneyView.Of(r.AmountMicros, currency), r.CreatedAt)).ToList())
            : null;
        return new ReservationView(
            reservation.PaymentIntegratorAccountId,
            reservation.ReserveRequestId,
            reservation.ReservationId,
            reservation.State.Wire,
            reservation.IsExpiredAt(time.GetUtcNow()),
            reservation.AccountId,
            MoneyView.Of(reservation.AmountMicros, currency),
            reservation.CapturedAmountMicros is { } amount ? MoneyView.Of(amount, currency) : null,
            reservation.CaptureId,
            capture,
            reservation.CreatedAt,
            reservation.ExpiresAt,
            reservation.UpdatedAt,
            history,
            requests,
            notifications,
            await audit.ListForAsync(Target(reservation.PaymentIntegratorAccountId, reservation.ReserveRequestId), 50, ct))
        {
            BackendCommands = await commands.OfReservationAsync(reservation.ReservationId, ct),
            CaptureInProgress = reservation.IsCapturing,
        };
    }

    private static string Target(string accountId, string reserveRequestId) => $"reservation {accountId}/{reserveRequestId}";

    private static SupportError NotFound(string accountId, string reserveRequestId) =>
        SupportError.NotFound($"No reservation was made with reserveFundsRequestId '{reserveRequestId}' for '{accountId}'.");
}
