using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;
using ResultCode = Integrator.Core.Gsp.V1.ReserveFundsResponse.Types.ReserveFundsResultCode;

namespace Integrator.Core.Reservations;

/// <summary>
/// reserveFunds: place a hold on the token's account. Declines are business results (HTTP 200, replayed like any
/// success); an unknown token (404) or a currency the account does not hold (400) are errors.
/// </summary>
public sealed class ReserveFundsHandler(ILedger ledger, ReservationStore reservations, IOptions<ReservationOptions> options)
    : IGspMethod<ReserveFundsRequest, ReserveFundsResponse>
{
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    public async Task<Result<ReserveFundsResponse, GspError>> ExecuteAsync(
        ReserveFundsRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var account = await ledger.FindByPaymentTokenAsync(tx, request.GooglePaymentToken, ct);
        if (account is null)
        {
            return GspError.UnknownIdentifier("googlePaymentToken");
        }

        if (account.CurrencyCode != request.CurrencyCode)
        {
            return GspError.InvalidField("currencyCode", "the account is not held in this currency");
        }

        // The snapshot's refusal, then the hold's own check of the funds, which is the one that counts when holds race.
        var refusal = account.RefusalFor(request.Amount);
        if (refusal == AccountRefusal.None && !await ledger.TryPlaceHoldAsync(tx, account.AccountId, request.Amount, now, ct))
        {
            refusal = AccountRefusal.InsufficientFunds;
        }

        var decline = refusal switch
        {
            AccountRefusal.None => ResultCode.Unspecified,
            AccountRefusal.Closed => ResultCode.AccountClosed,
            AccountRefusal.OnHold => ResultCode.AccountOnHold,
            AccountRefusal.OverLimit => ResultCode.ChargeExceedsTransactionLimit,
            _ => ResultCode.InsufficientFunds,
        };

        var transactionId = Ids.New();
        if (decline != ResultCode.Unspecified)
        {
            return new ReserveFundsResponse { Result = decline, PaymentIntegratorTransactionId = transactionId };
        }

        var reservation = new Reservation
        {
            ReservationId = transactionId,
            PaymentIntegratorAccountId = request.PaymentIntegratorAccountId,
            ReserveRequestId = request.RequestHeader.RequestId,
            AccountId = account.AccountId,
            CurrencyCode = request.CurrencyCode,
            AmountMicros = request.Amount,
            State = ReservationState.Reserved,
            CreatedAt = now,
            ExpiresAt = now + _lifetime,
            UpdatedAt = now,
        };
        await reservations.InsertAsync(tx, reservation, request.RequestHeader.RequestId, ct);
        return new ReserveFundsResponse
        {
            Result = ResultCode.Success,
            PaymentIntegratorTransactionId = transactionId,
            ExpirationTimestamp = GspTime.Millis(reservation.ExpiresAt),
        };
    }
}
