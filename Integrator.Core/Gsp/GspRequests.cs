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

    /// <summary>A request whose fields we do not know are kept as received (a remittance summary), not dropped.</summary>
    public interface IKeepsReceivedJson
    {
        /// <summary>The decrypted JSON as Google sent it; set by the pipeline after parsing.</summary>
        string? ReceivedJson { get; set; }
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

    public sealed partial class RefundRequest : IGspRequest
    {
        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => null;

        public GspError? FindMissingField() =>
            !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
            : !HasCaptureRequestId ? GspError.MissingField("captureRequestId")
            : !HasCurrencyCode ? GspError.MissingField("currencyCode")
            : !HasRefundAmount ? GspError.MissingField("refundAmount")
            : null;

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.RequestId(CaptureRequestId, "captureRequestId")
            ?? FieldRules.Currency(CurrencyCode, "currencyCode")
            ?? FieldRules.PositiveMicros(RefundAmount, "refundAmount");
    }

    public sealed partial class RemittanceStatementNotificationRequest : IGspRequest, IKeepsReceivedJson
    {
        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => null;

        public string? ReceivedJson { get; set; }

        public GspError? FindMissingField()
        {
            var summary = RemittanceStatementSummary;
            return !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
                : summary is null ? GspError.MissingField("remittanceStatementSummary")
                : summary.BillingPeriod is not { HasStartDate: true } ? GspError.MissingField("remittanceStatementSummary.billingPeriod.startDate")
                : !summary.BillingPeriod.HasEndDate ? GspError.MissingField("remittanceStatementSummary.billingPeriod.endDate")
                : !summary.HasCurrencyCode ? GspError.MissingField("remittanceStatementSummary.currencyCode")
                : !summary.HasTotalDueByIntegrator ? GspError.MissingField("remittanceStatementSummary.totalDueByIntegrator")
                : null;
        }

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.Currency(RemittanceStatementSummary.CurrencyCode, "remittanceStatementSummary.currencyCode")
            ?? (RemittanceStatementSummary.BillingPeriod.StartDate > RemittanceStatementSummary.BillingPeriod.EndDate
                ? GspError.InvalidField("remittanceStatementSummary.billingPeriod", "startDate must not be after endDate")
                : null);
    }

    public sealed partial class GeneratePaymentTokenRedirectRequest : IGspRequest
    {
        public const int MaxDescriptionLength = 1000;

        public string? AccountId => PaymentIntegratorAccountId;

        public string? ReservationRequestId => null;

        public GspError? FindMissingField() =>
            !HasPaymentIntegratorAccountId ? GspError.MissingField("paymentIntegratorAccountId")
            : TransactionAmount is not { HasAmountMicros: true } ? GspError.MissingField("transactionAmount.amountMicros")
            : !TransactionAmount.HasCurrencyCode ? GspError.MissingField("transactionAmount.currencyCode")
            : null;

        public GspError? FindInvalidField() =>
            FieldRules.NotEmpty(PaymentIntegratorAccountId, "paymentIntegratorAccountId")
            ?? FieldRules.PositiveMicros(TransactionAmount.AmountMicros, "transactionAmount.amountMicros")
            ?? FieldRules.Currency(TransactionAmount.CurrencyCode, "transactionAmount.currencyCode")
            ?? (TransactionDescription.Length > MaxDescriptionLength
                ? GspError.InvalidField("transactionDescription", $"at most {MaxDescriptionLength} characters")
                : null)
            ?? (HasGooglePaymentToken ? FieldRules.NotEmpty(GooglePaymentToken, "googlePaymentToken") : null);
    }

    public sealed partial class GetGeneratePaymentTokenRedirectStatusRequest : IGspRequest
    {
        /// <summary>None: the request has no paymentIntegratorAccountId (docs/gsp-rules.md §8).</summary>
        public string? AccountId => null;

        public string? ReservationRequestId => null;

        public GspError? FindMissingField() => HasRedirectRequestId ? null : GspError.MissingField("redirectRequestId");

        public GspError? FindInvalidField() => FieldRules.RequestId(RedirectRequestId, "redirectRequestId");
    }
}
