using System.Text;
using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Reliability;

/// <summary>
/// Hostile input through the real Google-facing endpoint (PGP-specific cases are in MessageSecurityTests, field rules
/// in RequestCheckTests): each gets its GSP error, never a 500, and changes nothing. Then a bounded mutation fuzz of
/// valid requests (<c>INTEGRATOR_FUZZ_COUNT</c>, 10,000 by default).
/// </summary>
public sealed class HostileInputTests
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

    [Test]
    public async Task ABodyOverTheLimitIs413BeforeItIsRead()
    {
        var before = await _app.StateAsync();
        var padding = new string('x', 70_000); // Gsp:MaxRequestBytes is 65,536 by default
        var body = GspMessages.Cancel(GspMessages.NewId("big"), _app.Clock.NowMillis, _reservation);
        body["padding"] = padding;

        var result = await _app.PostAsync("cancelFundsReservation", body);

        Assert.That(result.Status, Is.EqualTo(413), result.Raw);
        Assert.That(result.Field("paymentIntegratorErrorIdentifier"), Is.Not.Empty);
        Assert.That(await _app.StateAsync(), Is.EqualTo(before));
    }

    [TestCase("""{"requestHeader":{"protocolVersion":{"major":1},"requestId":"a","requestId":"b","requestTimestamp":"1"}}""", TestName = "duplicate key")]
    [TestCase("[1,2,3]", TestName = "array instead of object")]
    [TestCase("{\"a\":1} {\"b\":2}", TestName = "two documents")]
    [TestCase("{\"a\":1,}", TestName = "trailing comma")]
    [TestCase("{/* comment */\"a\":1}", TestName = "comment")]
    public async Task MalformedJsonIsAnInvalidDecryptedRequest(string json)
    {
        var before = await _app.StateAsync();
        (await _app.PostRawAsync("cancelFundsReservation", Encoding.UTF8.GetBytes(json), "application/json")).AssertError(400, "INVALID_DECRYPTED_REQUEST");
        Assert.That(await _app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task DeeplyNestedJsonIsAnInvalidDecryptedRequest()
    {
        var json = "{\"requestHeader\":" + string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5001);
        (await _app.PostRawAsync("cancelFundsReservation", Encoding.UTF8.GetBytes(json), "application/json")).AssertError(400, "INVALID_DECRYPTED_REQUEST");
    }

    [TestCase("GET")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    [TestCase("PATCH")]
    public async Task AnotherHttpMethodIsAGsp405(string method)
    {
        var before = await _app.StateAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/redirect-payment-token-v1/cancelFundsReservation");
        if (method != "GET")
        {
            request.Content = new StringContent(GspMessages.Cancel(GspMessages.NewId("verb"), _app.Clock.NowMillis, _reservation).ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _app.Client.SendAsync(request);
        var result = new GspResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());

        Assert.That(result.Status, Is.EqualTo(405), result.Raw);
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
        Assert.That(result.Field("paymentIntegratorErrorIdentifier"), Is.Not.Empty, "a GSP ErrorResponse, not an empty body");
        Assert.That(await _app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task ASupportApiKeyOnAGoogleRouteIsRefused()
    {
        var before = await _app.StateAsync();
        var content = new StringContent(GspMessages.Cancel(GspMessages.NewId("keyed"), _app.Clock.NowMillis, _reservation).ToJsonString(), Encoding.UTF8, "application/json");
        content.Headers.Add("X-API-Key", IntegratorApp.SupportKey);

        using var response = await _app.Client.PostAsync("/redirect-payment-token-v1/cancelFundsReservation", content);
        var result = new GspResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(), null);

        result.AssertError(401, "INVALID_PAYLOAD_SIGNATURE");
        Assert.That(await _app.StateAsync(), Is.EqualTo(before), "the cancel did not run");
    }

    [Test]
    public async Task MutatedValidRequestsNeverGet500AndRefusalsChangeNothing()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_FUZZ_COUNT"), out var n) ? n : 10_000;
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"{count} mutations, random seed {seed}");
        var random = new Random(seed);
        var reservations = new List<string> { _reservation, await _app.ReserveAsync(), await _app.ReserveAsync() };
        var statuses = new Dictionary<int, int>();
        var state = await _app.StateAsync();
        for (var i = 0; i < count; i++)
        {
            var (method, valid) = Valid(random, reservations);
            var body = Mutate(random, valid);

            var result = await _app.PostRawAsync(method, body, "application/json");

            statuses[result.Status] = statuses.GetValueOrDefault(result.Status) + 1;
            Assert.That(result.Status, Is.LessThan(500), $"mutation {i} of {method}: {Encoding.UTF8.GetString(body)}\n{result.Raw}");
            var after = await _app.StateAsync();
            if (result.Status != 200)
            {
                Assert.That(after, Is.EqualTo(state), $"refused mutation {i} of {method} changed state: {Encoding.UTF8.GetString(body)}\n{result.Raw}");
            }

            state = after;
        }

        TestContext.Out.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.That(statuses.Keys, Has.Some.EqualTo(400), "the mutations do reach the request checks");
    }

    private (string Method, JsonObject Body) Valid(Random random, List<string> reservations)
    {
        var id = GspMessages.NewId("fuzz");
        var now = _app.Clock.NowMillis;
        var reservation = reservations[random.Next(reservations.Count)];
        return random.Next(4) switch
        {
            0 => ("echo", GspMessages.Echo(id, now)),
            1 => ("reserveFunds", GspMessages.Reserve(id, now, random.Next(1, 100) * 10_000L)),
            2 => ("captureFundsReservation", GspMessages.Capture(id, now, reservation)),
            _ => ("cancelFundsReservation", GspMessages.Cancel(id, now, reservation)),
        };
    }

    private static readonly JsonNode?[] Replacements =
    [
        null, true, 0, -1, 1.5, "", " ", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "1e400", "NaN", "\u0000",
        "caf\u00e9", new string('a', 101), new JsonArray(), new JsonObject(), new JsonObject { ["major"] = 2 },
    ];

    /// <summary>One structural change (a field removed, retyped or renamed) or one byte-level change (flip, cut, repeat).</summary>
    private static byte[] Mutate(Random random, JsonObject body)
    {
        if (random.Next(2) == 0)
        {
            var objects = new List<JsonObject> { body };
            if (body["requestHeader"] is JsonObject header)
            {
                objects.Add(header);
            }

            var target = objects[random.Next(objects.Count)];
            var key = target.Select(p => p.Key).ElementAt(random.Next(target.Count));
            switch (random.Next(3))
            {
                case 0:
                    target.Remove(key);
                    break;
                case 1:
                    target[key] = Replacements[random.Next(Replacements.Length)]?.DeepClone();
                    break;
                default:
                    var value = target[key]?.DeepClone();
                    target.Remove(key);
                    target[key.ToUpperInvariant()] = value;
                    break;
            }

            return Encoding.UTF8.GetBytes(body.ToJsonString());
        }

        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString()).ToList();
        var at = random.Next(bytes.Count);
        switch (random.Next(4))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes.RemoveRange(at, random.Next(1, bytes.Count - at + 1));
                break;
            case 2:
                bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)));
                break;
            default:
                bytes.Insert(at, (byte)random.Next(256));
                break;
        }

        return [.. bytes];
    }
}
