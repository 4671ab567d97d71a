using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Notifications;
using Integrator.Core.Reservations;
using Integrator.Core.Storage;
using ResultCode = Integrator.Core.Gsp.V1.CancelFundsReservationResponse.Types.CancelReservedFundsResultCode;

namespace Integrator.Core.Cancellation;

/// <summary>
/// cancelFundsReservation (docs/gsp-rules.md §4). A reservation that is live is cancelled, one past its expiry is expired,
/// and one already cancelled or expired needs nothing: all three answer SUCCESS and queue one
/// cancelFundsReservationResultNotification in the same transaction. A captured one cannot be cancelled.
/// </summary>
public sealed class CancelFundsHandler(ReservationStore reservations, NotificationOutbox outbox)
    : IGspMethod<CancelFundsReservationRequest, CancelFundsReservationResponse>
{
    public async Task<Result<CancelFundsReservationResponse, GspError>> ExecuteAsync(
        CancelFundsReservationRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = request.PaymentIntegratorAccountId;
        var requestId = request.RequestHeader.RequestId;
        while (true)
        {
            var reservation = await reservations.FindAsync(tx, accountId, request.ReserveFundsRequestId, ct);
            if (reservation is null)
            {
                return GspError.UnknownIdentifier("reserveFundsRequestId");
            }

            if (reservation.State == ReservationState.Captured)
            {
                return GspError.PreconditionViolation("The reservation was captured; it can no longer be cancelled.");
            }

            if (reservation.State == ReservationState.Reserved)
            {
                var to = reservation.ReleasedStateAt(now);
                if (!await reservations.TryReleaseAsync(tx, reservation, to, new Cause(TransitionCauses.CancelFunds, requestId), now, ct))
                {
                    continue; // moved by a concurrent writer (sweeper, capture, support): judge its new state
                }
            }

            await outbox.EnqueueCancelResultAsync(tx, accountId, requestId, reservation.ReservationId, now, ct);
            return new CancelFundsReservationResponse { Result = ResultCode.Success };
        }
    }
}
