using System.Globalization;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>The request checks every method runs, in order (version, fields, values, timestamp, PIAID), and the routes.</summary>
public sealed class RequestChecks : Check
{
    [Method("reserveFunds")]
    [TestCase(-5, Description = "A requestTimestamp 5 minutes in the past is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE")]
    [TestCase(5, Description = "A requestTimestamp 5 minutes in the future is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE")]
    public async Task ATimestampFarFromNowIsRefused(int minutes)
    {
        var request = Funded();
        request["requestHeader"]!["requestTimestamp"] = (Messages.Now + (minutes * 60_000L)).ToString(CultureInfo.InvariantCulture);
        ExpectStatus(await PostAsync("reserveFunds", request), 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
    }

    [Method("reserveFunds")]
    [Test(Description = "Protocol major version 2 is refused with 400 INVALID_API_VERSION")]
    public async Task AnotherMajorVersionIsRefused()
    {
        var request = Funded();
        request["requestHeader"] = Messages.Header(Messages.NewId("reserve"), major: 2);
        ExpectStatus(await PostAsync("reserveFunds", request), 400, "INVALID_API_VERSION");
    }

    [Method("reserveFunds")]
    [TestCase("amount", Description = "A reserveFunds without amount is refused with 400 MISSING_REQUIRED_FIELD")]
    [TestCase("googlePaymentToken", Description = "A reserveFunds without googlePaymentToken is refused with 400 MISSING_REQUIRED_FIELD")]
    [TestCase("requestHeader.requestId", Description = "A request without requestHeader.requestId is refused with 400 MISSING_REQUIRED_FIELD")]
    public async Task AMissingFieldIsRefused(string field)
    {
        var request = Funded();
        var path = field.Split('.');
        (path.Length == 1 ? request : request[path[0]]!.AsObject()).Remove(path[^1]);
        ExpectStatus(await PostAsync("reserveFunds", request), 400, "MISSING_REQUIRED_FIELD");
    }

    [Method("reserveFunds")]
    [TestCase("currencyCode", "XX1", Description = "A currency that is not ISO 4217 is refused with 400 INVALID_FIELD_VALUE")]
    [TestCase("amount", "-1000000", Description = "A negative amount is refused with 400 INVALID_FIELD_VALUE")]
    [TestCase("requestId", "has spaces!", Description = "A requestId outside [A-Za-z0-9:_-] is refused with 400 INVALID_FIELD_VALUE")]
    public async Task AnInvalidFieldIsRefused(string field, string value)
    {
        var request = Funded();
        (field == "requestId" ? request["requestHeader"]!.AsObject() : request)[field] = value;
        ExpectStatus(await PostAsync("reserveFunds", request), 400, "INVALID_FIELD_VALUE");
    }

    [Method("reserveFunds")]
    [Test(Description = "Unknown fields are ignored: a request with a field from a later minor version succeeds")]
    public async Task UnknownFieldsAreIgnored()
    {
        var request = Funded();
        request["aFieldFromALaterMinorVersion"] = new JsonObject { ["nested"] = "value" };
        ExpectResult(await PostAsync("reserveFunds", request), "SUCCESS");
    }

    [Method("reserveFunds")]
    [Test(Description = "A paymentIntegratorAccountId the target does not serve is refused with 404 INVALID_IDENTIFIER")]
    public async Task AnUnknownPaymentIntegratorAccountIdIsRefused()
    {
        var request = Funded();
        request["paymentIntegratorAccountId"] = Messages.NewId("not-served");
        ExpectStatus(await PostAsync("reserveFunds", request), 404, "INVALID_IDENTIFIER");
    }

    [Method("(unknown method)")]
    [Test(Description = "An unknown method path is a plain 404")]
    public async Task AnUnknownMethodIs404()
    {
        var answer = await PostAsync("noSuchMethod", Messages.Echo(Messages.NewId("echo")));
        Expect(answer.Status == 404, $"Expected HTTP 404, got {answer}.");
    }

    [Method("echo")]
    [Test(Description = "echo answers the clientMessage it was sent")]
    public async Task EchoAnswersTheClientMessage()
    {
        var answer = await PostAsync("echo", Messages.Echo(Messages.NewId("echo")));
        Expect(answer.Status == 200 && answer.Field("clientMessage") == "conformance" && answer.Authentic, $"Expected an authentic 200 echo, got {answer}.");
    }

    private static JsonObject Funded() => Messages.Reserve(Messages.NewId("reserve"), Accounts.Funded, Accounts.CurrencyCode);
}
