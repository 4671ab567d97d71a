using Integrator.Core.Storage;

namespace Integrator.Core.Notifications;

/// <summary>Queues outbound notifications (db/*/0011_outbox.sql) inside the caller's transaction; the dispatcher delivers them.</summary>
public sealed class NotificationOutbox
{
    // Inserted unless the cancel's row is there already: one statement on the path of every first cancel (ux_outbox_cancel
    // holds one row per cancel against a concurrent twin).
    private const string InsertCancelResult = """
        INSERT INTO outbox (notification_id, kind, payment_integrator_account_id, cancel_request_id, reservation_id,
                            result, status, created_at, next_attempt_at)
        SELECT @NotificationId, 'CANCEL_RESULT', @AccountId, @CancelRequestId, @ReservationId, 'SUCCESS', 'PENDING', @Now, @Now
        WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE payment_integrator_account_id = @AccountId AND cancel_request_id = @CancelRequestId)
        """;

    private const string InsertRedirectComplete = """
        INSERT INTO outbox (notification_id, kind, payment_integrator_account_id, redirect_request_id, result, status,
                            created_at, next_attempt_at)
        VALUES (@NotificationId, 'REDIRECT_COMPLETE', @AccountId, @RedirectRequestId, @Result, 'PENDING', @Now, @Now)
        """;

    /// <summary>
    /// Queues cancelFundsReservationResultNotification for a successful cancel. The row's id is the notification's
    /// own GSP requestId, so every delivery attempt carries the same one. A cancel request has one result, so a
    /// request run again after its idempotency record was purged finds its notification already queued. Nothing is
    /// read back, so the insert is held for the write's next statement (<see cref="DbTx.ExecuteLater"/>).
    /// </summary>
    public void EnqueueCancelResult(DbTx tx, string accountId, string cancelRequestId, string reservationId, DateTimeOffset now) =>
        tx.ExecuteLater(
            InsertCancelResult,
            new { NotificationId = Ids.New(), AccountId = accountId, CancelRequestId = cancelRequestId, ReservationId = reservationId, Now = now });

    /// <summary>
    /// Queues generatePaymentTokenRedirectCompleteNotification for a redirect that has just ended. The caller ends a
    /// redirect once (a compare-and-set on its result), and the outbox's unique index holds one row per redirect.
    /// </summary>
    public async Task<string> EnqueueRedirectCompleteAsync(
        DbTx tx, string accountId, string redirectRequestId, string result, DateTimeOffset now, CancellationToken ct)
    {
        var notificationId = Ids.New();
        await tx.ExecuteAsync(
            InsertRedirectComplete,
            new { NotificationId = notificationId, AccountId = accountId, RedirectRequestId = redirectRequestId, Result = result, Now = now },
            ct);
        return notificationId;
    }
}
