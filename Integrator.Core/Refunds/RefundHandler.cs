using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Reservations;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;
using ResultCode = Integrator.Core.Gsp.V1.RefundResponse.Types.RefundResultCode;

namespace Integrator.Core.Refunds;

/// <summary>
/// refund (docs/gsp-rules.md §7, README "refund"): credits part or all of a successful capture back to the customer's account, at any time
/// after it (no refund window; the reservation's expiry does not matter). Several partial refunds of one capture may
/// arrive, each with its own requestId; together they never exceed the captured amount. The only declines are a
/// closed or held account; everything else wrong is an error, which Google may retry. At a remote back end the amount
/// is taken from the capture with the claim and its REFUND command, and given back if the back end does not refund it.
/// </summary>
public sealed class RefundHandler(
    RefundStore refunds,
    ReservationStore reservations,
    ILedger ledger,
    CommandStore commands,
    IBackendConnector connector,
    IOptions<BackendOptions> backend)
    : IGspMethod<RefundRequest, RefundResponse>, ICommandCompletion
{
    public CommandKind Kind => CommandKind.Refund;

    public string Method => GspMethods.Refund;

    /// <summary>
    /// Every answer to a refund of a known capture is filed in the journal under the capture's reservation (a refund
    /// names only its capture), so that support sees refused and declined refunds on the reservation's page too.
    /// </summary>
    public async Task<GspOutcome<RefundResponse>> ExecuteAsync(RefundRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var capture = await refunds.FindCaptureAsync(tx, request.PaymentIntegratorAccountId, request.CaptureRequestId, ct);
        if (capture is null)
        {
            return GspError.UnknownIdentifier("captureRequestId");
        }

        var outcome = await RefundAsync(request, capture, tx, now, ct);
        var reservation = (await reservations.FindAsync(tx, capture.ReservationId, ct))?.ReserveRequestId;
        return outcome.Error is { } error
            ? error with { ReserveFundsRequestId = reservation }
            : outcome with { ReserveFundsRequestId = reservation };
    }

    private async Task<GspOutcome<RefundResponse>> RefundAsync(RefundRequest request, Capture capture, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = request.PaymentIntegratorAccountId;

        if (!string.Equals(capture.CurrencyCode, request.CurrencyCode, StringComparison.Ordinal))
        {
            return GspError.InvalidField("currencyCode", "it must be the currency of the capture");
        }

        if (request.RefundAmount > capture.RefundableMicros)
        {
            return ExceedsRemaining();
        }

        if (backend.Value.IsRemote && connector.AmountProblem(request.RefundAmount, capture.CurrencyCode) is { } problem)
        {
            return GspError.InvalidField("refundAmount", problem);
        }

        if (!backend.Value.IsRemote)
        {
            var account = await ledger.FindAsync(tx, capture.AccountId, ct)
                ?? throw new InvalidOperationException($"Ledger account {capture.AccountId} of a capture is missing.");
            // A credit has no limit to respect: only the account's standing can refuse it.
            if (account.RefusalFor(null) is AccountRefusal.Closed or AccountRefusal.OnHold)
            {
                return Declined(account.RefusalFor(null)).Outcome<RefundResponse>();
            }
        }

        // The check above read a snapshot; this is the one that counts when refunds race.
        if (!await refunds.TryTakeAsync(tx, capture.CaptureId, request.RefundAmount, ct))
        {
            return ExceedsRemaining();
        }

        var requestId = request.RequestHeader.RequestId;
        if (!backend.Value.IsRemote)
        {
            await ledger.CreditRefundAsync(tx, capture.AccountId, request.RefundAmount, now, ct);
            return (await RefundedAsync(tx, Ids.New(), accountId, requestId, capture.CaptureId, request.RefundAmount, now, ct)).Outcome<RefundResponse>();
        }

        var reservation = await reservations.FindAsync(tx, capture.ReservationId, ct)
            ?? throw new InvalidOperationException($"Reservation {capture.ReservationId} of capture {capture.CaptureId} is missing.");
        var key = Keys.Of(new IdempotencyKey(accountId, requestId));
        var command = await commands.OpenAsync(
            tx,
            new BackendCommand
            {
                CommandId = Ids.New(),
                Kind = CommandKind.Refund,
                CommandKey = key,
                PaymentIntegratorAccountId = accountId,
                RequestId = requestId,
                HoldId = ReservationStore.HoldOf(reservation),
                ReservationId = reservation.ReservationId,
                CaptureId = capture.CaptureId,
                RefundId = Ids.New(),
                AccountId = capture.AccountId,
                CurrencyCode = capture.CurrencyCode,
                AmountMicros = request.RefundAmount,
            },
            now,
            ct);
        return new PendingCommand(command.CommandId);
    }

    /// <summary>The REFUND ended: the refund, or the back end's decline or refusal with the amount given back to the capture.</summary>
    public async Task<Completion> CompleteAsync(DbTx tx, BackendCommand command, BackendResult result, DateTimeOffset now, CancellationToken ct)
    {
        var reservation = await reservations.FindAsync(tx, command.ReservationId, ct);
        if (result.Verdict == BackendVerdict.Confirmed)
        {
            var refunded = await RefundedAsync(tx, command.RefundId!, command.PaymentIntegratorAccountId, command.RequestId!, command.CaptureId!, command.AmountMicros, now, ct);
            return refunded with { ReserveFundsRequestId = reservation?.ReserveRequestId };
        }

        await refunds.GiveBackAsync(tx, command.CaptureId!, command.AmountMicros, ct);
        var answer = result.Verdict == BackendVerdict.Declined ? Declined(result.Refusal) : new Completion(null, GspError.BackendRefused());
        return answer with { ReserveFundsRequestId = reservation?.ReserveRequestId };
    }

    private async Task<Completion> RefundedAsync(
        DbTx tx, string refundId, string accountId, string requestId, string captureId, long amountMicros, DateTimeOffset now, CancellationToken ct)
    {
        await refunds.InsertAsync(
            tx,
            new Refund
            {
                RefundId = refundId,
                PaymentIntegratorAccountId = accountId,
                RefundRequestId = requestId,
                CaptureId = captureId,
                AmountMicros = amountMicros,
                CreatedAt = now,
            },
            ct);
        return new Completion(new RefundResponse { Result = ResultCode.Success, PaymentIntegratorRefundId = refundId }, null);
    }

    private static Completion Declined(AccountRefusal refusal) =>
        new(new RefundResponse { Result = refusal == AccountRefusal.Closed ? ResultCode.AccountClosed : ResultCode.AccountOnHold }, null);

    private static GspError ExceedsRemaining() =>
        GspError.PreconditionViolation("The refund exceeds the amount remaining on the capture.");
}
