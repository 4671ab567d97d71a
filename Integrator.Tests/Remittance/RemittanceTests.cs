using System.Text.Json.Nodes;
using System.Diagnostics.Metrics;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Remittance;
using Integrator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Remittance;

/// <summary>
/// remittanceStatementNotification and the reconciliation job over real HTTP, a real SQLite file and a fake Google on
/// 127.0.0.1 (docs/gsp-rules.md §7, README "Remittance"): a statement is stored once, its events fetched page by page, matched against our captures
/// and refunds, and accepted exactly once when it matches; a discrepancy waits for support.
/// </summary>
public sealed class RemittanceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public async Task AStatementWhoseEventsAllMatchIsMatchedAndAcceptedOnce()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var periodStart = app.Clock.NowMillis - 1;
        var a = await app.CaptureAsync(10_000_000);
        var b = await app.CaptureAsync(5_000_000);
        var refundId = GspMessages.NewId("refund");
        (await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, a, 2_000_000))).AssertStatus(200);
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement([new(a, 10_000_000), new(b, 5_000_000), new(refundId, -2_000_000, IsRefund: true)]);

        var received = await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, periodStart, app.Clock.NowMillis, 13_000_000));

        received.AssertStatus(200);
        Assert.That(received.Field("result"), Is.EqualTo("ACCEPTED"));
        Assert.That(received.Field("paymentIntegratorStatementId"), Is.Not.Empty);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "ACCEPTED", "the statement is accepted", Wait);
        await Task.Delay(300); // a few more polls: nothing more is sent
        var accepts = google.CallsTo("acceptRemittanceStatement");
        Assert.Multiple(() =>
        {
            Assert.That(accepts, Has.Count.EqualTo(1));
            Assert.That(JsonNode.Parse(accepts[0].Json!)!["statementId"]!.GetValue<string>(), Is.EqualTo(statementId));
            Assert.That(accepts[0].Path, Does.EndWith($"/acceptRemittanceStatement/{GspMessages.AccountId}"));
        });
        var view = await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}");
        view.AssertStatus(200);
        Assert.Multiple(() =>
        {
            Assert.That(view.Json["differences"]!.AsArray(), Is.Empty);
            Assert.That(view.Json["events"]!.AsArray(), Has.Count.EqualTo(3));
            Assert.That(view.Json["calls"]!.AsArray().Select(c => c!["method"]!.GetValue<string>()), Is.EqualTo(new[] { "remittanceStatementDetails", "acceptRemittanceStatement" }));
        });
    }

    [Test]
    public async Task ARepeatedNotificationIsReplayedAndStoredOnceWithItsUnknownFieldsKept()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var statementId = GspMessages.NewId("statement");
        var body = GspMessages.Statement(statementId, app.Clock.NowMillis, 0, app.Clock.NowMillis, 0);
        body["remittanceStatementSummary"]!["totalWithholdingTaxes"] = "1234";
        body["remittanceStatementSummary"]!["someFutureField"] = new JsonObject { ["nested"] = true };

        var first = await app.PostAsync("remittanceStatementNotification", body);
        var again = await app.PostAsync("remittanceStatementNotification", body.DeepClone());

        first.AssertStatus(200);
        again.AssertStatus(200);
        Assert.That(again.Field("paymentIntegratorStatementId"), Is.EqualTo(first.Field("paymentIntegratorStatementId")));
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM remittance_statements WHERE statement_id = @statementId", new { statementId }), Is.EqualTo(1));
        var changed = body.DeepClone();
        changed["remittanceStatementSummary"]!["totalDueByIntegrator"] = "999";
        (await app.PostAsync("remittanceStatementNotification", changed)).AssertError(412, "IDEMPOTENCY_VIOLATION");
        var summary = (await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}")).Json["summary"]!;
        Assert.That(summary["totalWithholdingTaxes"]!.GetValue<string>(), Is.EqualTo("1234"));
        Assert.That(summary["someFutureField"]!["nested"]!.GetValue<bool>(), Is.True);
    }

    [TestCase("remittanceStatementSummary", "MISSING_REQUIRED_FIELD")]
    [TestCase("remittanceStatementSummary.totalDueByIntegrator", "MISSING_REQUIRED_FIELD")]
    [TestCase("remittanceStatementSummary.billingPeriod", "MISSING_REQUIRED_FIELD")]
    [TestCase("remittanceStatementSummary.currencyCode", "MISSING_REQUIRED_FIELD")]
    public async Task AStatementWithoutWhatReconciliationNeedsIsRefusedAndNothingIsStored(string field, string code)
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var body = GspMessages.Statement(GspMessages.NewId("statement"), app.Clock.NowMillis, 0, app.Clock.NowMillis, 0);
        var parts = field.Split('.');
        (parts.Length == 1 ? body : body[parts[0]]!.AsObject()).Remove(parts[^1]);
        var before = await app.StateAsync();

        var result = await app.PostAsync("remittanceStatementNotification", body);

        result.AssertError(400, code);
        Assert.That(await app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task UnknownCaptureMissingRefundAndWrongAmountAreADiscrepancyAcceptedOnlyBySupport()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var periodStart = app.Clock.NowMillis - 1;
        var a = await app.CaptureAsync(10_000_000);
        var b = await app.CaptureAsync(5_000_000);
        var missingRefund = GspMessages.NewId("refund");
        (await app.PostAsync("refund", GspMessages.Refund(missingRefund, app.Clock.NowMillis, a, 2_000_000))).AssertStatus(200);
        var strangerCapture = GspMessages.NewId("capture");
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement([new(a, 9_000_000), new(b, 5_000_000), new(strangerCapture, 1_000_000)]);

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, periodStart, app.Clock.NowMillis, 15_000_000)))
            .AssertStatus(200);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "DISCREPANCY", "the statement is a discrepancy", Wait);
        await Task.Delay(300);

        var view = await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}");
        var differences = view.Json["differences"]!.AsArray()
            .Select(d => (d!["kind"]!.GetValue<string>(), d["requestId"]?.GetValue<string>())).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(differences, Is.EquivalentTo(new[] { ("AMOUNT_DIFFERS", a), ("UNKNOWN_TO_US", strangerCapture), ("MISSING_FROM_GOOGLE", missingRefund) }));
            Assert.That(google.CallsTo("acceptRemittanceStatement"), Is.Empty, "a discrepancy is never accepted automatically");
        });
        var listed = await app.SupportAsync(HttpMethod.Get, "statements?status=DISCREPANCY");
        Assert.That(listed.Json.AsArray().Select(s => s!["statementId"]!.GetValue<string>()), Does.Contain(statementId));

        (await app.SupportAsync(HttpMethod.Post, $"statements/{GspMessages.AccountId}/{statementId}/accept", new { reason = "" })).AssertProblem(400);
        var accepted = await app.SupportAsync(HttpMethod.Post, $"statements/{GspMessages.AccountId}/{statementId}/accept", new { reason = "Google's account manager confirmed the corrected amounts" });
        accepted.AssertStatus(200);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "ACCEPTED", "the statement is accepted", Wait);
        (await app.SupportAsync(HttpMethod.Post, $"statements/{GspMessages.AccountId}/{statementId}/accept", new { reason = "again" })).AssertProblem(409);

        Assert.Multiple(async () =>
        {
            Assert.That(google.CallsTo("acceptRemittanceStatement"), Has.Count.EqualTo(1));
            Assert.That(
                await app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit WHERE action = 'accept statement' AND outcome = 'acceptance requested'"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TwoThousandFiveHundredEventsArriveInThreePagesAndMatch()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var now = app.Clock.NowMillis;
        var captures = Enumerable.Range(0, 2_500).Select(i => (Id: $"bulk-capture-{i:D5}", Amount: 1_000L + i)).ToList();
        // Straight into the tables: 2,500 captures through the API would test the API, not the paging.
        await app.ExecuteAsync(
            """
            INSERT INTO reservations (reservation_id, payment_integrator_account_id, reserve_request_id, account_id, currency_code,
                                      amount_micros, state, created_at, expires_at, updated_at, capture_id, captured_amount_micros)
            VALUES (@Reservation, @Piaid, @Reserve, 'acct-rich', 'USD', @Amount, 'CAPTURED', @Now, @Now, @Now, @Capture, @Amount)
            """,
            captures.Select(c => new { Reservation = "r-" + c.Id, Piaid = GspMessages.AccountId, Reserve = "reserve-" + c.Id, c.Amount, Now = now, Capture = "c-" + c.Id }).ToList());
        await app.ExecuteAsync(
            """
            INSERT INTO captures (capture_id, payment_integrator_account_id, capture_request_id, reservation_id, account_id, currency_code, amount_micros, captured_at)
            VALUES (@Capture, @Piaid, @Id, @Reservation, 'acct-rich', 'USD', @Amount, @Now)
            """,
            captures.Select(c => new { Capture = "c-" + c.Id, Piaid = GspMessages.AccountId, c.Id, Reservation = "r-" + c.Id, c.Amount, Now = now }).ToList());
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement(captures.Select(c => new FakeEvent(c.Id, c.Amount)).ToList());

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, now, now - 1, now + 1, captures.Sum(c => c.Amount))))
            .AssertStatus(200);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "ACCEPTED", "the statement is accepted", Wait);

        var pages = google.CallsTo("remittanceStatementDetails").Select(c => JsonNode.Parse(c.Json!)!).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(pages.Select(p => p["eventOffset"]?.GetValue<int>() ?? 0), Is.EqualTo(new[] { 0, 1000, 2000 }));
            Assert.That(pages.Select(p => p["numberOfEvents"]!.GetValue<int>()), Is.All.EqualTo(1000));
            Assert.That(await app.ScalarAsync<long>("SELECT event_count FROM remittance_statements WHERE statement_id = @statementId", new { statementId }), Is.EqualTo(2_500));
        });
    }

    [Test]
    public async Task GoogleFailingIsRetriedWithBackoffAndEveryCallIsRecorded()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = call => call <= 3 ? 503 : 200;
        await using var app = Start(google);
        var periodStart = app.Clock.NowMillis - 1;
        var capture = await app.CaptureAsync(4_000_000);
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement([new(capture, 4_000_000)]);

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, periodStart, app.Clock.NowMillis, 4_000_000)))
            .AssertStatus(200);
        await Eventually.TrueAsync(
            async () =>
            {
                app.Clock.Advance(TimeSpan.FromMilliseconds(200)); // the server's clock: retries fall due on it
                return await StatusAsync(app, statementId) == "ACCEPTED";
            },
            "the statement is accepted after Google recovers",
            Wait);

        var calls = (await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}")).Json["calls"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => c!["outcome"]!.GetValue<string>()), Is.EqualTo(new[] { "FAILED", "FAILED", "FAILED", "OK", "OK" }));
            Assert.That(calls.Take(3).Select(c => c!["httpStatus"]!.GetValue<int>()), Is.All.EqualTo(503));
            Assert.That(google.CallsTo("acceptRemittanceStatement"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task TheJobReportsStatementsByStatusTheOldestUnreconciledAgeAndItsCalls()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        using var metrics = new MeterRecorder(app.Services.GetRequiredService<IMeterFactory>(), RemittanceMetrics.MeterName);
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement([new(GspMessages.NewId("capture"), 1_000_000)]);

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, 0, app.Clock.NowMillis, 1_000_000)))
            .AssertStatus(200);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "DISCREPANCY", "the statement is a discrepancy", Wait);
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await Eventually.TrueAsync(
            () => Task.FromResult(metrics.Read("integrator.remittance.statements{status=DISCREPANCY}") == 1), "one discrepancy reported", Wait);
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Read("integrator.remittance.oldest_unreconciled_age"), Is.EqualTo(60).Within(1));
            Assert.That(metrics.Read("integrator.remittance.calls{method=remittanceStatementDetails}"), Is.EqualTo(1));
            Assert.That(metrics.Read("integrator.remittance.statements{status=ACCEPTED}"), Is.Zero);
        });
    }

    [Test]
    public async Task InDevelopmentTheStandInListsThisDatabasesCapturesAndTheStatementIsAccepted()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Remittance:Enabled"] = "true", ["Remittance:PollInterval"] = "00:00:00.050" });
        var periodStart = app.Clock.NowMillis - 1;
        var capture = await app.CaptureAsync(7_000_000);
        (await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, 2_000_000))).AssertStatus(200);
        var statementId = GspMessages.NewId("statement");

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, periodStart, app.Clock.NowMillis, 5_000_000)))
            .AssertStatus(200);

        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "ACCEPTED", "the statement is matched and accepted", Wait);
    }

    public static IEnumerable<TestCaseData> HostilePagers()
    {
        static RemittanceStatementDetailsResponse Page(int offset, int count, int total, int? next)
        {
            var page = new RemittanceStatementDetailsResponse { EventOffset = offset, TotalEvents = total };
            page.CaptureEvents.AddRange(Enumerable.Range(offset, count).Select(i => new StatementEvent { EventRequestId = $"hostile-{i}", EventCharge = 1_000_000 }));
            if (next is { } n)
            {
                page.NextEventOffset = n;
            }

            return page;
        }

        // The review's pager: full pages whose nextEventOffset creeps forward by one.
        yield return new TestCaseData(new Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse>(r =>
            Page(r.EventOffset, r.NumberOfEvents, 100_000, r.EventOffset + 1)), "does not follow").SetName("A nextEventOffset that does not advance by the page's count fails the statement");
        yield return new TestCaseData(new Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse>(r =>
            Page(r.EventOffset, r.NumberOfEvents + 50, 100_000, r.EventOffset + r.NumberOfEvents + 50)), "more than").SetName("A page larger than asked fails the statement");
        yield return new TestCaseData(new Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse>(r =>
            Page(r.EventOffset, r.NumberOfEvents, 150, r.EventOffset + r.NumberOfEvents)), "past totalEvents").SetName("Paging past totalEvents fails the statement");
        yield return new TestCaseData(new Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse>(r =>
            Page(r.EventOffset, r.NumberOfEvents, 50_000_000, r.EventOffset + r.NumberOfEvents)), "Remittance:MaxEvents").SetName("A totalEvents beyond Remittance:MaxEvents fails the statement");
    }

    /// <summary>
    /// S3-M3: Google's paging is checked page by page; a pager that does not hold together fails the statement with the
    /// reason (recorded, retried later) after at most a page or two, and nothing it sent is kept.
    /// </summary>
    [TestCaseSource(nameof(HostilePagers))]
    public async Task AHostilePagerFailsTheStatementWithTheReasonInsteadOfBeingFollowed(
        Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse> pager, string reason)
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = IntegratorApp.Start(new Dictionary<string, string?>
        {
            ["Google:BaseUrl"] = google.BaseUrl.ToString(),
            ["Remittance:Enabled"] = "true",
            ["Remittance:PollInterval"] = "00:00:00.050",
            ["Remittance:FirstRetryDelay"] = "01:00:00",
            ["Remittance:MaxRetryDelay"] = "01:00:00",
            ["Remittance:PageSize"] = "100",
        });
        var statementId = GspMessages.NewId("statement");
        google.Statements[statementId] = new FakeStatement([]) { Pager = pager };

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, 0, app.Clock.NowMillis, 0))).AssertStatus(200);

        await Eventually.TrueAsync(
            async () => (await app.QueryAsync<string?>("SELECT last_error FROM remittance_statements WHERE statement_id = @statementId", new { statementId })).Single() is not null,
            "the statement failed with a reason", Wait);
        var view = (await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}")).Json;
        Assert.Multiple(async () =>
        {
            Assert.That(view["statement"]!["status"]!.GetValue<string>(), Is.EqualTo("RECEIVED"), "never reconciled on such pages");
            Assert.That(view["statement"]!["lastError"]!.GetValue<string>(), Does.Contain(reason));
            Assert.That(google.CallsTo("remittanceStatementDetails"), Has.Count.LessThanOrEqualTo(2), "refused at the first page that does not hold together");
            Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM remittance_events"), Is.LessThanOrEqualTo(100), "at most the one good page is kept");
        });
        var reserve = await app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), app.Clock.NowMillis, 1_000_000, "tok-rich"));
        reserve.AssertStatus(200);
    }

    [Test]
    public async Task TheSupportViewOfALargeStatementIsPaged()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = Start(google);
        var statementId = GspMessages.NewId("statement");
        var events = Enumerable.Range(0, 450).Select(i => new FakeEvent($"unknown-{i}", 1_000_000)).ToList();
        google.Statements[statementId] = new FakeStatement(events);

        (await app.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, app.Clock.NowMillis, 0, app.Clock.NowMillis, 450_000_000))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await StatusAsync(app, statementId) == "DISCREPANCY", "reconciled", Wait);

        var first = (await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}")).Json;
        var third = (await app.SupportAsync(HttpMethod.Get, $"statements/{GspMessages.AccountId}/{statementId}?eventOffset=400")).Json;
        Assert.Multiple(() =>
        {
            Assert.That(first["statement"]!["eventCount"]!.GetValue<long>(), Is.EqualTo(450));
            Assert.That(first["events"]!.AsArray(), Has.Count.EqualTo(200));
            Assert.That(first["differenceCount"]!.GetValue<long>(), Is.EqualTo(450));
            Assert.That(first["differences"]!.AsArray(), Has.Count.EqualTo(200));
            Assert.That(third["events"]!.AsArray().Select(e => e!["position"]!.GetValue<long>()), Is.EqualTo(Enumerable.Range(400, 50).Select(i => (long)i)));
        });
    }

    private static IntegratorApp Start(FakeGoogle google) => IntegratorApp.Start(new Dictionary<string, string?>
    {
        ["Google:BaseUrl"] = google.BaseUrl.ToString(),
        ["Remittance:Enabled"] = "true",
        ["Remittance:PollInterval"] = "00:00:00.050",
        ["Remittance:FirstRetryDelay"] = "00:00:00.100",
        ["Remittance:MaxRetryDelay"] = "00:00:00.400",
    });

    private static async Task<string> StatusAsync(IntegratorApp app, string statementId) =>
        (await app.QueryAsync<string>("SELECT status FROM remittance_statements WHERE statement_id = @statementId", new { statementId })).SingleOrDefault() ?? "-";
}
