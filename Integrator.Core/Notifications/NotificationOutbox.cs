using Integrator.Core.Storage;

namespace Integrator.Core.Notifications;

/// <summary>Queues outbound notifications inside the caller's transaction; the dispatcher delivers them.</summary>
public sealed class NotificationOutbox
{
    private const string InsertCancelResult = """
        INSERT INTO notifications (notification_id, payment_integrator_account_id, cancel_request_id, reservation_id,
                                   result, status, created_at, next_attempt_at)
        VALUES (@NotificationId, @AccountId, @CancelRequestId, @ReservationId, 'SUCCESS', 'PENDING', @Now, @Now)
        """;

    /// <summary>
    /// Queues cancelFundsReservationResultNotification for a successful cancel. The row's id is the notification's
    /// own GSP requestId, so every delivery attempt carries the same one.
    /// </summary>
    public async Task<string> EnqueueCancelResultAsync(
        DbTx tx, string accountId, string cancelRequestId, string reservationId, long nowMillis, CancellationToken ct)
    {
        var notificationId = Ids.New();
        await tx.ExecuteAsync(
            InsertCancelResult,
            new { NotificationId = notificationId, AccountId = accountId, CancelRequestId = cancelRequestId, ReservationId = reservationId, Now = nowMillis },
            ct);
        return notificationId;
    }
}
