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
    private readonly long _lifetimeMillis = (long)options.Value.Lifetime.TotalMilliseconds;

    public async Task<Result<ReserveFundsResponse, GspError>> ExecuteAsync(
        ReserveFundsRequest request, DbTx tx, long nowMillis, CancellationToken ct)
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

        var decline = account.Status switch
        {
            AccountStatus.Closed => ResultCode.AccountClosed,
            AccountStatus.OnHold => ResultCode.AccountOnHold,
            _ when request.Amount > account.TransactionLimitMicros => ResultCode.ChargeExceedsTransactionLimit,
            _ => ResultCode.Unspecified,
        };
        if (decline == ResultCode.Unspecified
            && !await ledger.TryPlaceHoldAsync(tx, account.AccountId, request.Amount, nowMillis, ct))
        {
            decline = ResultCode.InsufficientFunds;
        }

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
            CreatedAt = nowMillis,
            ExpiresAt = nowMillis + _lifetimeMillis,
            UpdatedAt = nowMillis,
        };
        await reservations.InsertAsync(tx, reservation, request.RequestHeader.RequestId, ct);
        return new ReserveFundsResponse
        {
            Result = ResultCode.Success,
            PaymentIntegratorTransactionId = transactionId,
            ExpirationTimestamp = reservation.ExpiresAt,
        };
    }
}
