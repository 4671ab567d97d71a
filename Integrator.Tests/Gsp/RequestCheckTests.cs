using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Gsp;

/// <summary>
/// Every row of docs/gsp-rules.md §2 (after decryption) answers its exact status and code, in the documented order, and a
/// refused request changes nothing but the journal's REJECTED entry.
/// </summary>
public sealed class RequestCheckTests
{
    private IntegratorApp _app = null!;
    private string _reservation = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = IntegratorApp.Start();
        _reservation = await _app.ReserveAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    public sealed record CheckCase(string Name, string Method, Action<JsonObject> Break, int Status, string Code, string? Description = null)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<CheckCase> Cases()
    {
        // API version, and its place before the other checks.
        yield return new("major 2", "cancelFundsReservation", b => Header(b)["protocolVersion"]!["major"] = 2, 400, "INVALID_API_VERSION");
        yield return new("major 0", "reserveFunds", b => Header(b)["protocolVersion"]!["major"] = 0, 400, "INVALID_API_VERSION");
        yield return new("major 2 beats a missing field", "cancelFundsReservation",
            b => { Header(b)["protocolVersion"]!["major"] = 2; b.Remove("reserveFundsRequestId"); }, 400, "INVALID_API_VERSION");

        // Required fields, each named.
        foreach (var (method, fields) in new[]
                 {
                     ("echo", new[] { "clientMessage" }),
                     ("reserveFunds", new[] { "paymentIntegratorAccountId", "googlePaymentToken", "transactionDescription", "currencyCode", "amount" }),
                     ("captureFundsReservation", new[] { "paymentIntegratorAccountId", "reserveFundsRequestId", "amount" }),
                     ("cancelFundsReservation", new[] { "paymentIntegratorAccountId", "reserveFundsRequestId" }),
                 })
        {
            foreach (var field in fields)
            {
                yield return new($"{method} without {field}", method, b => b.Remove(field), 400, "MISSING_REQUIRED_FIELD", field);
            }

            yield return new($"{method} without requestHeader", method, b => b.Remove("requestHeader"), 400, "MISSING_REQUIRED_FIELD", "requestHeader");
            foreach (var field in new[] { "protocolVersion", "requestId", "requestTimestamp" })
            {
                yield return new($"{method} without requestHeader.{field}", method, b => Header(b).Remove(field), 400, "MISSING_REQUIRED_FIELD", $"requestHeader.{field}");
            }
        }

        yield return new("null counts as missing", "cancelFundsReservation", b => b["reserveFundsRequestId"] = null, 400, "MISSING_REQUIRED_FIELD", "reserveFundsRequestId");
        yield return new("missing beats invalid", "cancelFundsReservation",
            b => { b.Remove("reserveFundsRequestId"); Header(b)["requestId"] = "bad id"; }, 400, "MISSING_REQUIRED_FIELD");

        // Field values.
        foreach (var (name, value) in new[]
                 {
                     ("space", "has space"), ("slash", "a/b"), ("dot", "a.b"), ("non-ASCII", "café"), ("empty", ""),
                     ("101 characters", new string('a', 101)),
                 })
        {
            yield return new($"requestId with {name}", "cancelFundsReservation", b => Header(b)["requestId"] = value, 400, "INVALID_FIELD_VALUE", "requestHeader.requestId");
        }

        yield return new("reserveFundsRequestId with a space", "cancelFundsReservation", b => b["reserveFundsRequestId"] = "a b", 400, "INVALID_FIELD_VALUE", "reserveFundsRequestId");
        yield return new("zero amount", "reserveFunds", b => b["amount"] = "0", 400, "INVALID_FIELD_VALUE", "amount");
        yield return new("negative amount", "reserveFunds", b => b["amount"] = "-5", 400, "INVALID_FIELD_VALUE", "amount");
        yield return new("negative capture", "captureFundsReservation", b => b["amount"] = "-1", 400, "INVALID_FIELD_VALUE", "amount");
        yield return new("lower-case currency", "reserveFunds", b => b["currencyCode"] = "usd", 400, "INVALID_FIELD_VALUE", "currencyCode");
        yield return new("unknown currency", "reserveFunds", b => b["currencyCode"] = "XYZ", 400, "INVALID_FIELD_VALUE", "currencyCode");
        yield return new("empty token", "reserveFunds", b => b["googlePaymentToken"] = "", 400, "INVALID_FIELD_VALUE", "googlePaymentToken");
        yield return new("invalid beats skew", "cancelFundsReservation",
            b => { Header(b)["requestId"] = "bad id"; Header(b)["requestTimestamp"] = "1"; }, 400, "INVALID_FIELD_VALUE");

        // Timestamp skew both ways (±60 s by default).
        yield return new("61 s early", "cancelFundsReservation", b => Shift(b, -61_000), 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        yield return new("61 s late", "cancelFundsReservation", b => Shift(b, 61_000), 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        yield return new("int64 minimum", "cancelFundsReservation", b => Header(b)["requestTimestamp"] = long.MinValue.ToString(CultureInfo.InvariantCulture), 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        yield return new("int64 maximum", "cancelFundsReservation", b => Header(b)["requestTimestamp"] = long.MaxValue.ToString(CultureInfo.InvariantCulture), 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        yield return new("skew beats unknown account", "cancelFundsReservation",
            b => { Shift(b, 120_000); b["paymentIntegratorAccountId"] = "Unknown_PIAID"; }, 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");

        // The paymentIntegratorAccountId.
        yield return new("unknown account", "cancelFundsReservation", b => b["paymentIntegratorAccountId"] = "Unknown_PIAID", 404, "INVALID_IDENTIFIER", "paymentIntegratorAccountId");
        yield return new("unknown account on reserve", "reserveFunds", b => b["paymentIntegratorAccountId"] = "Unknown_PIAID", 404, "INVALID_IDENTIFIER", "paymentIntegratorAccountId");

        // Shape of the decrypted request.
        yield return new("wrong JSON type", "reserveFunds", b => b["amount"] = true, 400, "INVALID_DECRYPTED_REQUEST");
        yield return new("int64 overflow", "reserveFunds", b => b["amount"] = "9223372036854775808", 400, "INVALID_DECRYPTED_REQUEST");
        yield return new("header is a string", "cancelFundsReservation", b => b["requestHeader"] = "x", 400, "INVALID_DECRYPTED_REQUEST");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task RefusedWithTheExactCodeAndNothingWritten(CheckCase c)
    {
        var body = ValidRequest(c.Method);
        c.Break(body);
        var before = await _app.StateAsync();

        var result = await _app.PostAsync(c.Method, body);

        result.AssertError(c.Status, c.Code);
        if (c.Description is not null)
        {
            Assert.That(result.Field("errorDescription"), Does.Contain(c.Description));
        }

        Assert.That(await _app.StateAsync(), Is.EqualTo(before), "a refused request changed state");
        var callId = result.Field("paymentIntegratorErrorIdentifier")!;
        await Eventually.TrueAsync(async () => await RejectionsJournaledAsync(callId) == 1, "the refusal is journaled");
    }

    [TestCase(59_000)]
    [TestCase(-59_000)]
    public async Task TimestampWithinTheSkewIsAccepted(long shift)
    {
        var body = ValidRequest("echo");
        Shift(body, shift);
        (await _app.PostAsync("echo", body)).AssertStatus(200);
    }

    [TestCase("not json at all")]
    [TestCase("{\"requestHeader\": ")]
    [TestCase("\"a string\"")]
    public async Task NonJsonBodiesAreInvalidDecryptedRequests(string body)
    {
        var result = await _app.PostRawAsync("cancelFundsReservation", Encoding.UTF8.GetBytes(body), "application/json");
        result.AssertError(400, "INVALID_DECRYPTED_REQUEST");
    }

    [Test]
    public async Task InvalidUtf8IsAnInvalidDecryptedRequest()
    {
        var body = Encoding.UTF8.GetBytes(ValidRequest("echo").ToJsonString()).Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        (await _app.PostRawAsync("echo", body, "application/json")).AssertError(400, "INVALID_DECRYPTED_REQUEST");
    }

    [Test]
    public async Task WrongContentTypeIsRefused()
    {
        var body = Encoding.UTF8.GetBytes(ValidRequest("echo").ToJsonString());
        (await _app.PostRawAsync("echo", body, "text/plain")).AssertError(400, "INVALID_DECRYPTED_REQUEST");
    }

    [Test]
    public async Task UnknownMethodPathIsAPlain404()
    {
        var result = await _app.PostRawAsync("refundEverything", Encoding.UTF8.GetBytes("{}"), "application/json");
        Assert.That(result.Status, Is.EqualTo(404));
    }

    [Test]
    public async Task EchoAnswersTheClientMessage()
    {
        var result = await _app.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis, "hello"));
        result.AssertStatus(200);
        Assert.Multiple(() =>
        {
            Assert.That(result.Field("clientMessage"), Is.EqualTo("hello"));
            Assert.That(result.Field("serverMessage"), Is.Not.Empty);
            Assert.That(result.Json["responseHeader"]!["responseTimestamp"]!.GetValue<string>(), Is.EqualTo(_app.Clock.NowMillis.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    private JsonObject ValidRequest(string method)
    {
        var id = GspMessages.NewId("check");
        var now = _app.Clock.NowMillis;
        return method switch
        {
            "echo" => GspMessages.Echo(id, now),
            "reserveFunds" => GspMessages.Reserve(id, now),
            "captureFundsReservation" => GspMessages.Capture(id, now, _reservation),
            "cancelFundsReservation" => GspMessages.Cancel(id, now, _reservation),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
    }

    private Task<long> RejectionsJournaledAsync(string callId) =>
        _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE call_id = @callId AND outcome = 'REJECTED'", new { callId });

    private static JsonObject Header(JsonObject body) => body["requestHeader"]!.AsObject();

    private static void Shift(JsonObject body, long millis)
    {
        var header = Header(body);
        var timestamp = long.Parse(header["requestTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        header["requestTimestamp"] = (timestamp + millis).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
