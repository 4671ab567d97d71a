using Google.Protobuf;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp
{
    /// <summary>What the request checks need from every Google-facing request message.</summary>
    public interface IGspRequest : IMessage
    {
        RequestHeader RequestHeader { get; }

        /// <summary>The paymentIntegratorAccountId, or null for a method that has none (echo).</summary>
        string? AccountId { get; }

        /// <summary>The reserveFundsRequestId of the reservation the call is about (journal and support look-ups), if any.</summary>
        string? ReservationRequestId { get; }

        /// <summary>The first required body field (besides the header) that is absent.</summary>
        GspError? FindMissingField();

        /// <summary>The first body field (besides the header) whose value is outside what GSP allows.</summary>
        GspError? FindInvalidField();
    }
}

// Each method's field rules sit next to its generated message.
namespace Integrator.Core.Gsp.V1
{
    public sealed partial class EchoRequest : IGspRequest
    {
        public string? AccountId => null;

        public string? ReservationRequestId => null;

        public GspError? FindMissingField() => HasClientMessage ? null : GspError.MissingField("clientMessage");

        public GspError? FindInvalidField() => null;
    }

    public sealed partial class ReserveFundsRequest : IGspRequest
    {
        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => RequestHeader?.RequestId;

        public GspError? FindMissingField() =>
            !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
            : !HasGooglePaymentToken ? GspError.MissingField("googlePaymentToken")
            : !HasTransactionDescription ? GspError.MissingField("transactionDescription")
            : !HasCurrencyCode ? GspError.MissingField("currencyCode")
            : !HasAmount ? GspError.MissingField("amount")
            : null;

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.NotEmpty(GooglePaymentToken, "googlePaymentToken")
            ?? FieldRules.Currency(CurrencyCode, "currencyCode")
            ?? FieldRules.PositiveMicros(Amount, "amount");
    }

    public sealed partial class CaptureFundsReservationRequest : IGspRequest
    {
        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => HasReserveFundsRequestId ? ReserveFundsRequestId : null;

        public GspError? FindMissingField() =>
            !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
            : !HasReserveFundsRequestId ? GspError.MissingField("reserveFundsRequestId")
            : !HasAmount ? GspError.MissingField("amount")
            : null;

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.RequestId(ReserveFundsRequestId, "reserveFundsRequestId")
            ?? FieldRules.PositiveMicros(Amount, "amount");
    }

    public sealed partial class CancelFundsReservationRequest : IGspRequest
    {
        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => HasReserveFundsRequestId ? ReserveFundsRequestId : null;

        public GspError? FindMissingField() =>
            !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
            : !HasReserveFundsRequestId ? GspError.MissingField("reserveFundsRequestId")
            : null;

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.RequestId(ReserveFundsRequestId, "reserveFundsRequestId");
    }
}
