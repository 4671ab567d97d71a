using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;
using ResultCode = Integrator.Core.Gsp.V1.ReserveFundsResponse.Types.ReserveFundsResultCode;

namespace Integrator.Core.Reservations;

/// <summary>
/// reserveFunds: place a hold on the token's account. Declines are business results (HTTP 200, replayed like any
/// success); an unknown token (404) or a currency the account does not hold (400) are errors. In the embedded ledger
/// the hold is placed in the call's transaction; at a remote back end a HOLD command is opened with the claim, and the
/// reservation exists once the back end has placed the hold (<see cref="CompleteAsync"/>).
/// </summary>
public sealed class ReserveFundsHandler(
    ILedger ledger,
    ReservationStore reservations,
    CommandStore commands,
    IBackendConnector connector,
    IOptions<ReservationOptions> options,
    IOptions<BackendOptions> backend)
    : IGspMethod<ReserveFundsRequest, ReserveFundsResponse>, ICommandCompletion
{
    private readonly TimeSpan _lifetime = options.Value.Lifetime;

    public CommandKind Kind => CommandKind.Hold;

    public string Method => GspMethods.ReserveFunds;

    public async Task<GspOutcome<ReserveFundsResponse>> ExecuteAsync(
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

        var requestId = request.RequestHeader.RequestId;
        if (backend.Value.IsRemote)
        {
            if (connector.AmountProblem(request.Amount, request.CurrencyCode) is { } problem)
            {
                return GspError.InvalidField("amount", problem);
            }

            // The account's standing, limit and funds are the back end's to judge.
            var key = Keys.Of(new IdempotencyKey(request.PaymentIntegratorAccountId, requestId));
            var command = await commands.OpenAsync(
                tx,
                new BackendCommand
                {
                    CommandId = Ids.New(),
                    Kind = CommandKind.Hold,
                    CommandKey = key,
                    PaymentIntegratorAccountId = request.PaymentIntegratorAccountId,
                    RequestId = requestId,
                    HoldId = key,
                    ReservationId = Ids.New(),
                    AccountId = account.AccountId,
                    CurrencyCode = request.CurrencyCode,
                    AmountMicros = request.Amount,
                    Description = request.HasTransactionDescription ? request.TransactionDescription : null,
                    ExpiresAt = now + _lifetime,
                },
                now,
                ct);
            return new PendingCommand(command.CommandId);
        }

        // The snapshot's refusal, then the hold's own check of the funds, which is the one that counts when holds race.
        var refusal = account.RefusalFor(request.Amount);
        if (refusal == AccountRefusal.None && !await ledger.TryPlaceHoldAsync(tx, account.AccountId, request.Amount, now, ct))
        {
            refusal = AccountRefusal.InsufficientFunds;
        }

        var transactionId = Ids.New();
        var answer = refusal == AccountRefusal.None
            ? await ReserveAsync(tx, transactionId, request.PaymentIntegratorAccountId, requestId, account.AccountId, request.CurrencyCode, request.Amount, now, now + _lifetime, ct)
            : Declined(refusal, transactionId);
        return answer.Outcome<ReserveFundsResponse>();
    }

    /// <summary>The HOLD ended: the reservation, or the back end's decline, or an error Google may retry.</summary>
    public async Task<Completion> CompleteAsync(DbTx tx, BackendCommand command, BackendResult result, DateTimeOffset now, CancellationToken ct)
    {
        var answer = result.Verdict switch
        {
            BackendVerdict.Confirmed => await ReserveAsync(
                tx, command.ReservationId, command.PaymentIntegratorAccountId, command.RequestId!, command.AccountId, command.CurrencyCode,
                command.AmountMicros, command.CreatedAt, command.ExpiresAt!.Value, ct),
            BackendVerdict.Declined => Declined(result.Refusal, command.ReservationId),
            _ when result.HttpStatus == 404 => new Completion(null, GspError.UnknownIdentifier("googlePaymentToken")),
            _ => new Completion(null, GspError.BackendRefused()),
        };
        return answer with { ReserveFundsRequestId = command.RequestId };
    }

    private async Task<Completion> ReserveAsync(
        DbTx tx, string reservationId, string accountId, string requestId, string ledgerAccountId, string currencyCode, long amountMicros,
        DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var reservation = new Reservation
        {
            ReservationId = reservationId,
            PaymentIntegratorAccountId = accountId,
            ReserveRequestId = requestId,
            AccountId = ledgerAccountId,
            CurrencyCode = currencyCode,
            AmountMicros = amountMicros,
            State = ReservationState.Reserved,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            UpdatedAt = now,
        };
        await reservations.InsertAsync(tx, reservation, requestId, ct);
        return new Completion(
            new ReserveFundsResponse
            {
                Result = ResultCode.Success,
                PaymentIntegratorTransactionId = reservationId,
                ExpirationTimestamp = GspTime.Millis(expiresAt),
            },
            null);
    }

    private static Completion Declined(AccountRefusal refusal, string transactionId) =>
        new(
            new ReserveFundsResponse
            {
                Result = refusal switch
                {
                    AccountRefusal.Closed => ResultCode.AccountClosed,
                    AccountRefusal.OnHold => ResultCode.AccountOnHold,
                    AccountRefusal.OverLimit => ResultCode.ChargeExceedsTransactionLimit,
                    _ => ResultCode.InsufficientFunds,
                },
                PaymentIntegratorTransactionId = transactionId,
            },
            null);
}
