using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;
using Integrator.Tests.Notifications;

namespace Integrator.Tests.Support;

/// <summary>The support API of README "Support API" through real HTTP: every endpoint's success and failure paths.</summary>
public sealed partial class SupportApiTests
{
    private IntegratorApp _app = null!;

    private const string ViewerKey = "viewer-key-0123456789abcdefghij";

    [OneTimeSetUp]
    public void Start() => _app = IntegratorApp.Start(new Dictionary<string, string?>
    {
        ["Support:ApiKeys:1:Name"] = "viewer",
        ["Support:ApiKeys:1:Key"] = ViewerKey,
        ["Support:ApiKeys:1:Role"] = "Viewer",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    public static IEnumerable<TestCaseData> Endpoints()
    {
        yield return new TestCaseData("GET", "reservations/InvisiCashUSA_USD/r-1", null);
        yield return new TestCaseData("POST", "reservations/InvisiCashUSA_USD/r-1/release", new { reason = "customer called" });
        yield return new TestCaseData("GET", "requests/InvisiCashUSA_USD/r-1", null);
        yield return new TestCaseData("POST", "requests/InvisiCashUSA_USD/r-1/replay", new { reason = "why" });
        yield return new TestCaseData("GET", "errors/some-identifier", null);
        yield return new TestCaseData("GET", "notifications", null);
        yield return new TestCaseData("GET", "notifications/n-1", null);
        yield return new TestCaseData("POST", "notifications/n-1/resend", new { force = true, reason = "why" });
        yield return new TestCaseData("POST", "notifications/recover", new { since = "2020-01-01T00:00:00Z", until = "2030-01-01T00:00:00Z" });
        yield return new TestCaseData("GET", "statements", null);
        yield return new TestCaseData("GET", "statements/InvisiCashUSA_USD/s-1", null);
        yield return new TestCaseData("POST", "statements/InvisiCashUSA_USD/s-1/accept", new { reason = "why" });
        yield return new TestCaseData("GET", "audit", null);
        yield return new TestCaseData("GET", "openapi.json", null);
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task WithoutAValidKeyEveryEndpointIs401AndNothingChanges(string method, string path, object? body)
    {
        var reservation = await _app.ReserveAsync();
        var state = await _app.StateAsync();
        var audited = await _app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit");
        path = path.Replace("r-1", reservation, StringComparison.Ordinal);

        var none = await _app.SupportAsync(new HttpMethod(method), path, body, apiKey: null);
        var wrong = await _app.SupportAsync(new HttpMethod(method), path, body, apiKey: "not-the-key-but-long-enough-123456");
        var almost = await _app.SupportAsync(new HttpMethod(method), path, body, apiKey: IntegratorApp.SupportKey[..^1] + "X");

        none.AssertProblem(401);
        wrong.AssertProblem(401);
        almost.AssertProblem(401);
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit"), Is.EqualTo(audited));
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task AViewerReadsEverythingButEveryActionIs403AndChangesNothing(string method, string path, object? body)
    {
        var reservation = await _app.ReserveAsync();
        var state = await _app.StateAsync();
        var audited = await _app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit");
        path = path.Replace("r-1", reservation, StringComparison.Ordinal);

        var answer = await _app.SupportAsync(new HttpMethod(method), path, body, apiKey: ViewerKey);

        if (method == "POST")
        {
            answer.AssertProblem(403);
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit"), Is.EqualTo(audited), "a refused action is not an action");
        }
        else
        {
            Assert.That(answer.Status, Is.Not.EqualTo(401).And.Not.EqualTo(403), answer.Raw);
        }

        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
    }

    [Test]
    public async Task ReadsOfCustomerDataAreAuditedPerPersonWithTheirChannel()
    {
        var reservation = await _app.ReserveAsync();

        (await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reservation}", apiKey: ViewerKey)).AssertStatus(200);
        (await _app.SupportAsync(HttpMethod.Get, $"requests/{GspMessages.AccountId}/{reservation}", apiKey: ViewerKey)).AssertStatus(200);

        var trail = (await _app.SupportAsync(HttpMethod.Get, "audit?actor=viewer")).Json.AsArray()
            .Select(a => (Action: a!["action"]!.GetValue<string>(), Target: a["target"]!.GetValue<string>(), Channel: a["channel"]!.GetValue<string>())).ToList();
        Assert.That(trail, Does.Contain(("read reservation", $"reservation {GspMessages.AccountId}/{reservation}", "api")));
        Assert.That(trail, Does.Contain(("read request", $"request {GspMessages.AccountId}/{reservation}", "api")));
    }

    /// <summary>
    /// S3-M1: wrong keys spend their address's budget and are then answered 429, but a right key from the same address
    /// (a colleague behind the same proxy or NAT) is never refused for them.
    /// </summary>
    [Test]
    public async Task WrongKeysAreThrottledPerAddressButTheRightKeyIsNeverRefusedForThem()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Support:FailedKeysPerMinute"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            (await app.SupportAsync(HttpMethod.Get, "audit", apiKey: "a-wrong-key-that-is-long-enough-" + i)).AssertProblem(401);
        }

        var throttled = await app.SupportAsync(HttpMethod.Get, "audit", apiKey: "a-wrong-key-that-is-long-enough-x");
        var theRightKey = await app.SupportAsync(HttpMethod.Get, "audit");
        throttled.AssertProblem(429);
        theRightKey.AssertStatus(200);

        app.Clock.Advance(TimeSpan.FromSeconds(20));
        (await app.SupportAsync(HttpMethod.Get, "audit", apiKey: "a-wrong-key-that-is-long-enough-y")).AssertProblem(401);
        (await app.SupportAsync(HttpMethod.Get, "audit", apiKey: "a-wrong-key-that-is-long-enough-z")).AssertProblem(429);
    }

    /// <summary>
    /// Behind a configured proxy each client has its own budget (X-Forwarded-For); from anywhere else the header is
    /// not believed, so it cannot be used to escape the budget. Real sockets: the proxy is 127.0.0.1.
    /// </summary>
    [Test]
    public async Task BehindAKnownProxyEachForwardedClientHasItsOwnBudget()
    {
        var folder = Directory.CreateTempSubdirectory("proxy-").FullName;
        try
        {
            int[] proxiedA, directs;
            int proxiedB;
            await using (var proxied = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
            {
                ["Support__FailedKeysPerMinute"] = "2",
                ["Proxy__KnownProxies__0"] = "127.0.0.1",
            })))
            {
                proxiedA = [await WrongKeyFromAsync(proxied, "198.51.100.1"), await WrongKeyFromAsync(proxied, "198.51.100.1"), await WrongKeyFromAsync(proxied, "198.51.100.1")];
                proxiedB = await WrongKeyFromAsync(proxied, "198.51.100.2");
            }

            await using (var direct = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
            {
                ["Support__FailedKeysPerMinute"] = "2",
            })))
            {
                directs = [await WrongKeyFromAsync(direct, "198.51.100.1"), await WrongKeyFromAsync(direct, "198.51.100.2"), await WrongKeyFromAsync(direct, "198.51.100.3")];
            }

            Assert.Multiple(() =>
            {
                Assert.That(proxiedA, Is.EqualTo(new[] { 401, 401, 429 }));
                Assert.That(proxiedB, Is.EqualTo(401), "another client behind the proxy has its own budget");
                Assert.That(directs, Is.EqualTo(new[] { 401, 401, 429 }), "without Proxy:*, a forged header changes nothing");
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static async Task<int> WrongKeyFromAsync(ServerProcess server, string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit");
            request.Headers.Add("X-API-Key", "a-wrong-key-that-is-long-enough");
            request.Headers.Add("X-Forwarded-For", client);
            return (int)(await server.Client.SendAsync(request)).StatusCode;
        }
    }

    [Test]
    public async Task ReservationLookupShowsAmountsHistoryRequestsAndNotifications()
    {
        var reservation = await _app.ReserveAsync(amountMicros: 12_345_000);
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, _app.Clock.NowMillis, reservation))).AssertStatus(200);

        var lookup = await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reservation}");

        lookup.AssertStatus(200);
        var json = lookup.Json;
        Assert.Multiple(() =>
        {
            Assert.That(json["state"]!.GetValue<string>(), Is.EqualTo("CANCELLED"));
            Assert.That(json["accountId"]!.GetValue<string>(), Is.EqualTo("acct-rich"));
            Assert.That(json["amount"]!["micros"]!.GetValue<string>(), Is.EqualTo("12345000"));
            Assert.That(json["amount"]!["value"]!.GetValue<string>(), Is.EqualTo("12.345"));
            Assert.That(json["amount"]!["currencyCode"]!.GetValue<string>(), Is.EqualTo("USD"));
            Assert.That(json["expiresAt"], Is.Not.Null);
            Assert.That(json["history"]!.AsArray().Select(h => h!["to"]!.GetValue<string>()), Is.EqualTo(new[] { "RESERVED", "CANCELLED" }));
            Assert.That(json["history"]![1]!["cause"]!.GetValue<string>(), Is.EqualTo("cancelFundsReservation"));
            Assert.That(json["history"]![1]!["requestId"]!.GetValue<string>(), Is.EqualTo(cancelId));
            Assert.That(json["requests"]!.AsArray().Select(r => r!["method"]!.GetValue<string>()), Is.EqualTo(new[] { "reserveFunds", "cancelFundsReservation" }));
            Assert.That(json["notifications"]!.AsArray().Single()!["cancelRequestId"]!.GetValue<string>(), Is.EqualTo(cancelId));
        });
    }

    [Test]
    public async Task UnknownReservationIs404Problem() =>
        (await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/nothing-here")).AssertProblem(404);

    [Test]
    public async Task ReleaseFreesTheHoldRecordsWhoAndWhyAndALaterGoogleCancelSucceedsWithItsNotification()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = IntegratorApp.Start(NotificationDeliveryTests.Delivering(google));
        var reservation = await app.ReserveAsync(amountMicros: 3_000_000);

        var release = await app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "Customer cancelled the order by phone" });

        release.AssertStatus(200);
        Assert.Multiple(() =>
        {
            Assert.That(release.Json["reservation"]!["state"]!.GetValue<string>(), Is.EqualTo("CANCELLED"));
            Assert.That(release.Json["impact"]!["holdReleased"]!.GetValue<bool>(), Is.True);
            Assert.That(release.Json["impact"]!["releasedAmount"]!["micros"]!.GetValue<string>(), Is.EqualTo("3000000"));
            Assert.That(release.Json["impact"]!["laterGoogleCancelAnswers"]!.GetValue<string>(), Is.EqualTo("SUCCESS"));
            Assert.That(release.Json["impact"]!["notificationSent"]!.GetValue<bool>(), Is.False);
            Assert.That(release.Json["reservation"]!["history"]![1]!["actor"]!.GetValue<string>(), Is.EqualTo(IntegratorApp.SupportKeyName));
            Assert.That(release.Json["reservation"]!["history"]![1]!["reason"]!.GetValue<string>(), Is.EqualTo("Customer cancelled the order by phone"));
        });
        Assert.That(await app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.Zero, "no notification for a manual release");

        var again = await app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "double click" });
        again.AssertStatus(200);
        Assert.That(again.Json["impact"]!["holdReleased"]!.GetValue<bool>(), Is.False, "idempotent: already released");

        var cancelId = GspMessages.NewId("cancel");
        var cancel = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation));
        cancel.AssertStatus(200);
        Assert.That(cancel.Field("result"), Is.EqualTo("SUCCESS"));
        await Eventually.TrueAsync(async () => await NotificationDeliveryTests.StatusAsync(app, cancelId) == "DELIVERED", "the cancel's own notification");
        Assert.That(google.Received.Single().Notification!.CancelFundsReservationRequestId, Is.EqualTo(cancelId));
    }

    [Test]
    public async Task ReleaseOfACapturedReservationIs409AndChangesNothing()
    {
        var reservation = await _app.ReserveAsync();
        (await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, reservation))).AssertStatus(200);
        var state = await _app.StateAsync();

        var release = await _app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "mistake" });

        release.AssertProblem(409);
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
        Assert.That(await LastAuditAsync(), Does.Contain("refused: captured"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public async Task ReleaseWithoutAReasonIs400(string? reason)
    {
        var reservation = await _app.ReserveAsync();
        var state = await _app.StateAsync();
        (await _app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason })).AssertProblem(400);
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
    }

    [Test]
    public async Task ReleaseOfAnExpiredHoldRecordsItAsExpired()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Reservations:Lifetime"] = "00:01:00" });
        var reservation = await app.ReserveAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        var release = await app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "the sweeper has not run yet" });

        release.AssertStatus(200);
        Assert.That(release.Json["reservation"]!["state"]!.GetValue<string>(), Is.EqualTo("EXPIRED"));
        Assert.That(release.Json["impact"]!["holdReleased"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task JournalLookupShowsRefusalsAndTheExecutionWithMaskedTokens()
    {
        var requestId = GspMessages.NewId("reserve");
        var early = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis, currency: "INR"));
        early.AssertError(400, "INVALID_FIELD_VALUE");
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis))).AssertStatus(200);
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis))).AssertStatus(200);
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @requestId", new { requestId }) == 2, "journaled");
        await Eventually.TrueAsync(async () => await _app.ScalarAsync<long>("SELECT COALESCE(SUM(replay_count), 0) FROM request_replays WHERE request_id = @requestId", new { requestId }) == 2, "replays counted");

        var journal = await _app.SupportAsync(HttpMethod.Get, $"requests/{GspMessages.AccountId}/{requestId}");
        var byIdentifier = await _app.SupportAsync(HttpMethod.Get, $"errors/{early.Field("paymentIntegratorErrorIdentifier")}");

        journal.AssertStatus(200);
        var entries = journal.Json.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e!["outcome"]!.GetValue<string>()), Is.EqualTo(new[] { "REJECTED", "EXECUTED" }));
            Assert.That(entries[0]!["errorCode"]!.GetValue<string>(), Is.EqualTo("INVALID_FIELD_VALUE"));
            Assert.That(entries[0]!["httpStatus"]!.GetValue<int>(), Is.EqualTo(400));
            Assert.That(entries.Select(e => e!["replayCount"]!.GetValue<long>()), Is.EqualTo(new[] { 0L, 2L }), "replays count against the execution only");
            Assert.That(entries[1]!["lastReplayedAt"], Is.Not.Null);
            Assert.That(entries[1]!["response"]!["result"]!.GetValue<string>(), Is.EqualTo("SUCCESS"));
            Assert.That(entries[1]!["request"]!["googlePaymentToken"]!.GetValue<string>(), Does.StartWith("sha256:"), "tokens are masked");
            Assert.That(journal.Raw, Does.Not.Contain("tok-rich"));
        });
        byIdentifier.AssertStatus(200);
        Assert.That(byIdentifier.Json["errorCode"]!.GetValue<string>(), Is.EqualTo("INVALID_FIELD_VALUE"));
        (await _app.SupportAsync(HttpMethod.Get, $"requests/{GspMessages.AccountId}/never-sent")).AssertProblem(404);
    }

    [Test]
    public async Task ReplayOfACompletedCancelIsServedFromTheStoreWithoutANewOutboxRow()
    {
        var reservation = await _app.ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        var original = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, _app.Clock.NowMillis, reservation));
        var notifications = await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox");
        _app.Clock.Advance(TimeSpan.FromSeconds(3));

        var replay = await _app.SupportAsync(HttpMethod.Post, $"requests/{GspMessages.AccountId}/{cancelId}/replay", new { reason = "Google support asked what we answered" });

        replay.AssertStatus(200);
        Assert.Multiple(async () =>
        {
            Assert.That(replay.Json["servedFromIdempotencyStore"]!.GetValue<bool>(), Is.True);
            Assert.That(replay.Json["method"]!.GetValue<string>(), Is.EqualTo("cancelFundsReservation"));
            Assert.That(WithoutTimestamp(replay.Json["response"]!.ToJsonString()), Is.EqualTo(WithoutTimestamp(original.Json.ToJsonString())));
            Assert.That(replay.Json["response"]!["responseHeader"]!["responseTimestamp"]!.GetValue<string>(), Is.Not.EqualTo(original.Json["responseHeader"]!["responseTimestamp"]!.GetValue<string>()));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.EqualTo(notifications), "no new outbox row");
        });
        Assert.That(await LastAuditAsync(), Does.Contain("replay").And.Contain("served from the idempotency store"));
    }

    [Test]
    public async Task ReplayOfARequestThatNeverCompletedIs409AndExecutesNothing()
    {
        var reserveRequestId = GspMessages.NewId("later");
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, _app.Clock.NowMillis, reserveRequestId))).AssertError(404, "INVALID_IDENTIFIER");
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveRequestId, _app.Clock.NowMillis))).AssertStatus(200);
        var state = await _app.StateAsync();

        var replay = await _app.SupportAsync(HttpMethod.Post, $"requests/{GspMessages.AccountId}/{cancelId}/replay", new { });

        replay.AssertProblem(409);
        Assert.That(await _app.StateAsync(), Is.EqualTo(state), "the cancel was not executed from the support API");
    }

    [Test]
    public async Task SupportRoutesRefuseGooglesPgpBodies()
    {
        var reservation = await _app.ReserveAsync();
        using var pgpBody = new ByteArrayContent("hQEMA0d7"u8.ToArray());
        pgpBody.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream; charset=utf-8");

        var release = await _app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", pgpBody);

        release.AssertProblem(415);
    }

    [Test]
    public async Task TheOpenApiDocumentDescribesTheSupportApiOnly()
    {
        var document = await _app.SupportAsync(HttpMethod.Get, "openapi.json");

        document.AssertStatus(200);
        var paths = document.Json["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Has.All.StartWith("/support/v1/"));
        Assert.That(paths, Does.Contain("/support/v1/reservations/{paymentIntegratorAccountId}/{reserveFundsRequestId}/release"));
        Assert.That(paths, Does.Contain("/support/v1/notifications/recover"));
        Assert.That(paths, Does.Contain("/support/v1/statements/{paymentIntegratorAccountId}/{statementId}/accept"));
        Assert.That(document.Raw, Does.Contain("X-API-Key"));
    }

    [Test]
    public async Task TheAuditTrailIsReadableAndFilteredByActor()
    {
        var reservation = await _app.ReserveAsync();
        (await _app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "audited" })).AssertStatus(200);

        var audit = await _app.SupportAsync(HttpMethod.Get, $"audit?actor={IntegratorApp.SupportKeyName}&limit=5");
        var nobody = await _app.SupportAsync(HttpMethod.Get, "audit?actor=nobody");

        audit.AssertStatus(200);
        var latest = audit.Json.AsArray()[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(latest["actor"]!.GetValue<string>(), Is.EqualTo(IntegratorApp.SupportKeyName));
            Assert.That(latest["action"]!.GetValue<string>(), Is.EqualTo("release"));
            Assert.That(latest["target"]!.GetValue<string>(), Does.Contain(reservation));
            Assert.That(latest["reason"]!.GetValue<string>(), Is.EqualTo("audited"));
            Assert.That(latest["outcome"]!.GetValue<string>(), Is.EqualTo("released"));
            Assert.That(latest["details"]!["releasedAmount"]!["micros"]!.GetValue<string>(), Is.EqualTo("10000000"));
            Assert.That(nobody.Json.AsArray(), Is.Empty);
        });
    }

    private async Task<string> LastAuditAsync()
    {
        var audit = await _app.SupportAsync(HttpMethod.Get, "audit?limit=1");
        return audit.Raw;
    }

    private static string WithoutTimestamp(string json) => Timestamp().Replace(json, "\"responseTimestamp\":\"*\"");

    [GeneratedRegex("\"responseTimestamp\":\"\\d+\"")]
    private static partial Regex Timestamp();
}
