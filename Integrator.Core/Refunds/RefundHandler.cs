using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using ResultCode = Integrator.Core.Gsp.V1.RefundResponse.Types.RefundResultCode;

namespace Integrator.Core.Refunds;

/// <summary>
/// refund (docs/gsp-rules.md §7, README "refund"): credits part or all of a successful capture back to the customer's account, at any time
/// after it (no refund window; the reservation's expiry does not matter). Several partial refunds of one capture may
/// arrive, each with its own requestId; together they never exceed the captured amount. The only declines are a
/// closed or held account; everything else wrong is an error, which Google may retry.
/// </summary>
public sealed class RefundHandler(RefundStore refunds, ILedger ledger) : IGspMethod<RefundRequest, RefundResponse>
{
    public async Task<Result<RefundResponse, GspError>> ExecuteAsync(RefundRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = request.PaymentIntegratorAccountId;
        var capture = await refunds.FindCaptureAsync(tx, accountId, request.CaptureRequestId, ct);
        if (capture is null)
        {
            return GspError.UnknownIdentifier("captureRequestId");
        }

        if (!string.Equals(capture.CurrencyCode, request.CurrencyCode, StringComparison.Ordinal))
        {
            return GspError.InvalidField("currencyCode", "it must be the currency of the capture");
        }

        if (request.RefundAmount > capture.RefundableMicros)
        {
            return ExceedsRemaining();
        }

        var account = await ledger.FindAsync(tx, capture.AccountId, ct)
            ?? throw new InvalidOperationException($"Ledger account {capture.AccountId} of a capture is missing.");
        // A credit has no limit to respect: only the account's standing can refuse it.
        switch (account.RefusalFor(null))
        {
            case AccountRefusal.Closed:
                return new RefundResponse { Result = ResultCode.AccountClosed };
            case AccountRefusal.OnHold:
                return new RefundResponse { Result = ResultCode.AccountOnHold };
        }

        // The check above read a snapshot; this is the one that counts when refunds race.
        if (!await refunds.TryTakeAsync(tx, capture.CaptureId, request.RefundAmount, ct))
        {
            return ExceedsRemaining();
        }

        var refund = new Refund
        {
            RefundId = Ids.New(),
            PaymentIntegratorAccountId = accountId,
            RefundRequestId = request.RequestHeader.RequestId,
            CaptureId = capture.CaptureId,
            AmountMicros = request.RefundAmount,
            CreatedAt = now,
        };
        await refunds.InsertAsync(tx, refund, ct);
        await ledger.CreditRefundAsync(tx, capture.AccountId, request.RefundAmount, now, ct);
        return new RefundResponse { Result = ResultCode.Success, PaymentIntegratorRefundId = refund.RefundId };
    }

    private static GspError ExceedsRemaining() =>
        GspError.PreconditionViolation("The refund exceeds the amount remaining on the capture.");
}
