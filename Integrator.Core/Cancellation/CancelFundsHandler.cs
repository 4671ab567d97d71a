using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Notifications;
using Integrator.Core.Reservations;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;
using ResultCode = Integrator.Core.Gsp.V1.CancelFundsReservationResponse.Types.CancelReservedFundsResultCode;

namespace Integrator.Core.Cancellation;

/// <summary>
/// cancelFundsReservation (docs/gsp-rules.md §4). A reservation that is live is cancelled, one past its expiry is expired,
/// and one already cancelled or expired needs nothing: all three answer SUCCESS. A captured one cannot be cancelled.
/// With the embedded ledger the hold is released and the cancelFundsReservationResultNotification queued in the call's
/// transaction. At a remote back end the call initiates the cancel (Google's words): its RELEASE command is written with
/// it, and the notification is queued only when the back end confirms the hold released (<see cref="CompleteAsync"/>).
/// </summary>
public sealed class CancelFundsHandler(ReservationStore reservations, NotificationOutbox outbox, IOptions<BackendOptions> backend)
    : IGspMethod<CancelFundsReservationRequest, CancelFundsReservationResponse>, ICommandCompletion
{
    public CommandKind Kind => CommandKind.Release;

    /// <summary>None: the cancel was answered when its release was opened.</summary>
    public string? Method => null;

    public async Task<GspOutcome<CancelFundsReservationResponse>> ExecuteAsync(
        CancelFundsReservationRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = request.PaymentIntegratorAccountId;
        var requestId = request.RequestHeader.RequestId;
        var cause = new Cause(TransitionCauses.CancelFunds, requestId);
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

            if (reservation.IsCapturing)
            {
                return GspError.CaptureInProgress();
            }

            if (reservation.State == ReservationState.Reserved)
            {
                if (!await reservations.TryReleaseAsync(tx, reservation, reservation.ReleasedStateAt(now), cause, now, ct))
                {
                    continue; // moved by a concurrent writer (sweeper, capture, support): judge its new state
                }
            }
            else if (backend.Value.IsRemote)
            {
                // Released already (expired, or by support): the back end still confirms it before Google hears so.
                await reservations.OpenReleaseAsync(tx, reservation, cause, now, ct);
            }

            if (!backend.Value.IsRemote)
            {
                outbox.EnqueueCancelResult(tx, accountId, requestId, reservation.ReservationId, now);
            }

            return new CancelFundsReservationResponse { Result = ResultCode.Success };
        }
    }

    /// <summary>
    /// A RELEASE ended. Confirmed (also: the back end had it released or expired already — GSP: an auto-cancelled
    /// reservation is a success): a Google cancel gets its notification. Refused (the hold was captured outside
    /// Integrator) or failed: no notification; the command shows it to support.
    /// </summary>
    public Task<Completion> CompleteAsync(DbTx tx, BackendCommand command, BackendResult result, DateTimeOffset now, CancellationToken ct)
    {
        if (result.Verdict == BackendVerdict.Confirmed && command.RequestId is { } cancelRequestId)
        {
            outbox.EnqueueCancelResult(tx, command.PaymentIntegratorAccountId, cancelRequestId, command.ReservationId, now);
        }

        return Task.FromResult(Completion.None);
    }
}
