using System.Globalization;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>Well-formed GSP v1 requests as Google sends them; checks change or remove fields to make bad ones.</summary>
public static class Messages
{
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static JsonObject Header(string requestId, long? timestamp = null, int major = 1) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = major, ["minor"] = 0, ["revision"] = 0 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = (timestamp ?? Now).ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Echo(string requestId) => new() { ["requestHeader"] = Header(requestId), ["clientMessage"] = "conformance" };

    public static JsonObject Reserve(string requestId, TestAccount account, string currency, string? accountId = null) => new()
    {
        ["requestHeader"] = Header(requestId),
        ["paymentIntegratorAccountId"] = accountId ?? Target.Current.AccountId,
        ["googlePaymentToken"] = account.GooglePaymentToken,
        ["transactionDescription"] = "Conformance kit",
        ["currencyCode"] = currency,
        ["amount"] = account.AmountMicros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Capture(string requestId, string reserveRequestId, long amountMicros) => new()
    {
        ["requestHeader"] = Header(requestId),
        ["paymentIntegratorAccountId"] = Target.Current.AccountId,
        ["reserveFundsRequestId"] = reserveRequestId,
        ["amount"] = amountMicros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject Cancel(string requestId, string reserveRequestId) => new()
    {
        ["requestHeader"] = Header(requestId),
        ["paymentIntegratorAccountId"] = Target.Current.AccountId,
        ["reserveFundsRequestId"] = reserveRequestId,
    };

    public static JsonObject Refund(string requestId, string captureRequestId, long amountMicros, string currency) => new()
    {
        ["requestHeader"] = Header(requestId),
        ["paymentIntegratorAccountId"] = Target.Current.AccountId,
        ["captureRequestId"] = captureRequestId,
        ["currencyCode"] = currency,
        ["refundAmount"] = amountMicros.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A remittanceStatementNotification for yesterday's billing day; its requestId is the statementId.</summary>
    public static JsonObject Statement(string statementId, long totalDueMicros, string currency)
    {
        var now = Now;
        var day = 86_400_000L;
        var periodEnd = now - (now % day);
        return new JsonObject
        {
            ["requestHeader"] = Header(statementId, now),
            ["paymentIntegratorAccountId"] = Target.Current.AccountId,
            ["remittanceStatementSummary"] = new JsonObject
            {
                ["statementDate"] = now.ToString(CultureInfo.InvariantCulture),
                ["billingPeriod"] = new JsonObject
                {
                    ["startDate"] = (periodEnd - day).ToString(CultureInfo.InvariantCulture),
                    ["endDate"] = (periodEnd - 1).ToString(CultureInfo.InvariantCulture),
                },
                ["dateDue"] = (now + (7 * day)).ToString(CultureInfo.InvariantCulture),
                ["currencyCode"] = currency,
                ["totalDueByIntegrator"] = totalDueMicros.ToString(CultureInfo.InvariantCulture),
                ["totalPresentmentAmounts"] = new JsonArray(new JsonObject
                {
                    ["amountMicros"] = totalDueMicros.ToString(CultureInfo.InvariantCulture),
                    ["currencyCode"] = currency,
                }),
                ["remittanceInstructions"] = new JsonObject { ["memoLineId"] = "memo-" + statementId },
            },
        };
    }

    public static JsonObject RedirectStatus(string requestId, string redirectRequestId) => new()
    {
        ["requestHeader"] = Header(requestId),
        ["redirectRequestId"] = redirectRequestId,
    };

    /// <summary>A GeneratePaymentTokenRedirectRequest, as Google seals it into the redirect link.</summary>
    public static JsonObject RedirectRequest(string redirectRequestId, long amountMicros, string currency) => new()
    {
        ["requestHeader"] = Header(redirectRequestId),
        ["paymentIntegratorAccountId"] = Target.Current.AccountId,
        ["transactionAmount"] = new JsonObject
        {
            ["amountMicros"] = amountMicros.ToString(CultureInfo.InvariantCulture),
            ["currencyCode"] = currency,
        },
        ["transactionDescription"] = "Conformance kit",
    };
}
