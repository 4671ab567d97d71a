using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using ResultCode = Integrator.Core.Gsp.V1.CaptureFundsReservationResponse.Types.CaptureReservedFundsResultCode;

namespace Integrator.Core.Reservations;

/// <summary>
/// captureFundsReservation: once per reservation, at most the reserved amount; the whole hold is released and the
/// captured amount debited. Anything else is 400 PRECONDITION_VIOLATION.
/// </summary>
public sealed class CaptureFundsHandler(ILedger ledger, ReservationStore reservations)
    : IGspMethod<CaptureFundsReservationRequest, CaptureFundsReservationResponse>
{
    public async Task<Result<CaptureFundsReservationResponse, GspError>> ExecuteAsync(
        CaptureFundsReservationRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var requestId = request.RequestHeader.RequestId;
        while (true)
        {
            var reservation = await reservations.FindAsync(tx, request.PaymentIntegratorAccountId, request.ReserveFundsRequestId, ct);
            var refusal = reservation switch
            {
                null => GspError.UnknownIdentifier("reserveFundsRequestId"),
                _ when reservation.State == ReservationState.Captured => GspError.PreconditionViolation("The reservation was already captured."),
                _ when reservation.State.IsReleased =>
                    GspError.PreconditionViolation("The reservation was cancelled or has expired."),
                _ when reservation.IsExpiredAt(now) => GspError.PreconditionViolation("The reservation has expired."),
                _ when request.Amount > reservation.AmountMicros =>
                    GspError.PreconditionViolation("The amount exceeds the reserved amount."),
                _ => null,
            };
            if (refusal is not null)
            {
                return refusal;
            }

            var captureId = Ids.New();
            if (!await reservations.TryCaptureAsync(tx, reservation!, captureId, request.Amount, new Cause(TransitionCauses.CaptureFunds, requestId), now, ct))
            {
                continue; // moved by a concurrent writer: judge its new state
            }

            await ledger.CaptureAsync(tx, reservation!.AccountId, reservation.AmountMicros, request.Amount, now, ct);
            return new CaptureFundsReservationResponse { Result = ResultCode.Success, PaymentIntegratorCaptureId = captureId };
        }
    }
}
