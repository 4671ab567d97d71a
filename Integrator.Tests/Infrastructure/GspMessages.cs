using System.Globalization;
using System.Text.Json.Nodes;

namespace Integrator.Tests.Infrastructure;

/// <summary>GSP v1 request documents with safe defaults; tests change or remove fields to build bad ones.</summary>
public static class GspMessages
{
    public const string AccountId = "InvisiCashUSA_USD";

    public static JsonObject Header(string requestId, long timestampMillis, int major = 1) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = major, ["minor"] = 0, ["revision"] = 0 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = timestampMillis.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Echo(string requestId, long now, string message = "client message") => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["clientMessage"] = message,
    };

    public static JsonObject Reserve(
        string requestId, long now, long amountMicros = 10_000_000, string token = "tok-rich", string currency = "USD") => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["paymentIntegratorAccountId"] = AccountId,
        ["googlePaymentToken"] = token,
        ["transactionDescription"] = "Google - Music",
        ["currencyCode"] = currency,
        ["amount"] = amountMicros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Capture(string requestId, long now, string reserveRequestId, long amountMicros = 10_000_000) => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["paymentIntegratorAccountId"] = AccountId,
        ["reserveFundsRequestId"] = reserveRequestId,
        ["amount"] = amountMicros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Cancel(string requestId, long now, string reserveRequestId) => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["paymentIntegratorAccountId"] = AccountId,
        ["reserveFundsRequestId"] = reserveRequestId,
    };

    public static JsonObject Refund(string requestId, long now, string captureRequestId, long amountMicros, string currency = "USD") => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["paymentIntegratorAccountId"] = AccountId,
        ["captureRequestId"] = captureRequestId,
        ["currencyCode"] = currency,
        ["refundAmount"] = amountMicros.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A remittanceStatementNotification; its requestId is the statementId.</summary>
    public static JsonObject Statement(string statementId, long now, long periodStart, long periodEnd, long totalDueMicros, string currency = "USD") => new()
    {
        ["requestHeader"] = Header(statementId, now),
        ["paymentIntegratorAccountId"] = AccountId,
        ["remittanceStatementSummary"] = new JsonObject
        {
            ["statementDate"] = now.ToString(CultureInfo.InvariantCulture),
            ["billingPeriod"] = new JsonObject
            {
                ["startDate"] = periodStart.ToString(CultureInfo.InvariantCulture),
                ["endDate"] = periodEnd.ToString(CultureInfo.InvariantCulture),
            },
            ["dateDue"] = (now + 7 * 86_400_000L).ToString(CultureInfo.InvariantCulture),
            ["currencyCode"] = currency,
            ["totalDueByIntegrator"] = totalDueMicros.ToString(CultureInfo.InvariantCulture),
            ["totalPresentmentAmounts"] = new JsonArray(new JsonObject
            {
                ["amountMicros"] = totalDueMicros.ToString(CultureInfo.InvariantCulture),
                ["currencyCode"] = currency,
            }),
            ["remittanceInstructions"] = new JsonObject { ["memoLineId"] = "stmt-memo-" + statementId },
        },
    };

    /// <summary>A GeneratePaymentTokenRedirectRequest as Google sends it to the redirect page (before sealing).</summary>
    public static JsonObject Redirect(
        string redirectRequestId, long now, long amountMicros = 25_000_000, string currency = "USD", string? googlePaymentToken = null,
        string description = "Google Store purchase")
    {
        var request = new JsonObject
        {
            ["requestHeader"] = Header(redirectRequestId, now),
            ["paymentIntegratorAccountId"] = AccountId,
            ["transactionAmount"] = new JsonObject { ["amountMicros"] = amountMicros.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = currency },
            ["transactionDescription"] = description,
            ["googleAccountDetails"] = new JsonObject { ["emailAddress"] = "example@gmail.com" },
            ["shippingAddressType"] = "STORE",
            ["customerPaymentHistorySignal"] = new JsonObject { ["positivePaymentHistory"] = new JsonObject() },
        };
        if (googlePaymentToken is not null)
        {
            request["googlePaymentToken"] = googlePaymentToken;
        }

        return request;
    }

    public static JsonObject RedirectStatus(string requestId, long now, string redirectRequestId) => new()
    {
        ["requestHeader"] = Header(requestId, now),
        ["redirectRequestId"] = redirectRequestId,
    };

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
