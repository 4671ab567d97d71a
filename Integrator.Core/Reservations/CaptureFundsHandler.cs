using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;
using ResultCode = Integrator.Core.Gsp.V1.CaptureFundsReservationResponse.Types.CaptureReservedFundsResultCode;

namespace Integrator.Core.Reservations;

/// <summary>
/// captureFundsReservation: once per reservation, at most the reserved amount; the whole hold is released and the
/// captured amount debited. Anything else is 400 PRECONDITION_VIOLATION. At a remote back end a CAPTURE command is
/// opened with the claim, and the reservation waits for it (no release, no second capture) until the back end answers.
/// </summary>
public sealed class CaptureFundsHandler(
    ReservationStore reservations, CommandStore commands, IBackendConnector connector, IOptions<BackendOptions> backend)
    : IGspMethod<CaptureFundsReservationRequest, CaptureFundsReservationResponse>, ICommandCompletion
{
    public CommandKind Kind => CommandKind.Capture;

    public string Method => GspMethods.CaptureFundsReservation;

    public async Task<GspOutcome<CaptureFundsReservationResponse>> ExecuteAsync(
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
                _ when reservation.IsCapturing => GspError.CaptureInProgress(),
                _ when backend.Value.IsRemote && connector.AmountProblem(request.Amount, reservation.CurrencyCode) is { } problem =>
                    GspError.InvalidField("amount", problem),
                _ => null,
            };
            if (refusal is not null)
            {
                return refusal;
            }

            var captureId = Ids.New();
            var cause = new Cause(TransitionCauses.CaptureFunds, requestId);
            if (!backend.Value.IsRemote)
            {
                if (!await reservations.TryCaptureAsync(tx, reservation!, captureId, request.Amount, cause, now, ct))
                {
                    continue; // moved by a concurrent writer: judge its new state
                }

                return Captured(captureId).Outcome<CaptureFundsReservationResponse>();
            }

            var key = Keys.Of(new IdempotencyKey(request.PaymentIntegratorAccountId, requestId));
            var command = new BackendCommand
            {
                CommandId = Ids.New(),
                Kind = CommandKind.Capture,
                CommandKey = key,
                PaymentIntegratorAccountId = request.PaymentIntegratorAccountId,
                RequestId = requestId,
                HoldId = ReservationStore.HoldOf(reservation!),
                ReservationId = reservation!.ReservationId,
                CaptureId = captureId,
                AccountId = reservation.AccountId,
                CurrencyCode = reservation.CurrencyCode,
                AmountMicros = request.Amount,
            };
            command = await commands.OpenAsync(tx, command, now, ct);
            if (!await reservations.TryStartCaptureAsync(tx, reservation, command.CaptureId!, now, ct))
            {
                continue; // moved, or another capture started: judge its new state
            }

            return new PendingCommand(command.CommandId);
        }
    }

    /// <summary>The CAPTURE ended: the reservation is captured, or live again with an error Google may retry.</summary>
    public async Task<Completion> CompleteAsync(DbTx tx, BackendCommand command, BackendResult result, DateTimeOffset now, CancellationToken ct)
    {
        var reservation = await reservations.FindAsync(tx, command.ReservationId, ct)
            ?? throw new InvalidOperationException($"Reservation {command.ReservationId} of command {command.CommandId} is missing.");
        if (result.Verdict == BackendVerdict.Confirmed)
        {
            // Nothing released the reservation while its capture was on its way (ReservationStore.TryStartCaptureAsync).
            if (!await reservations.TryCaptureAsync(tx, reservation, command.CaptureId!, command.AmountMicros, new Cause(TransitionCauses.CaptureFunds, command.RequestId), now, ct))
            {
                throw new InvalidOperationException($"Reservation {reservation.ReservationId} is {reservation.State}; its capture {command.CommandId} cannot be recorded.");
            }

            return Captured(command.CaptureId!) with { ReserveFundsRequestId = reservation.ReserveRequestId };
        }

        await reservations.EndCaptureAsync(tx, reservation.ReservationId, command.CaptureId!, now, ct);
        var error = result.Verdict == BackendVerdict.Refused
            ? GspError.PreconditionViolation($"The hold is {result.State} at the account back end.")
            : GspError.BackendRefused();
        return new Completion(null, error, reservation.ReserveRequestId);
    }

    private static Completion Captured(string captureId) =>
        new(new CaptureFundsReservationResponse { Result = ResultCode.Success, PaymentIntegratorCaptureId = captureId }, null);
}
