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

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
