using System.Text;
using System.Text.Json.Nodes;
using Integrator.Core.Backend.StandIn;
using Integrator.Core.Ledger;
using Integrator.Core.Reservations;
using Integrator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Backend;

/// <summary>
/// The Http provider against the bank's core (the reference stand-in over real HTTP on 127.0.0.1, docs/backend-http.openapi.yaml):
/// every money movement has exactly one effect at the core, with its key, amount and account, through replays,
/// timeouts, lost answers, outages, releases confirmed later (by event or by polling), a hold captured outside, and
/// garbage answers. Effects are counted where they happen: at the core.
/// </summary>
[TestFixtureSource(typeof(StorageTarget), nameof(StorageTarget.All))]
public sealed class HttpBackendTests(StorageTarget target)
{
    private const long Ten = 10_000_000;

    private FakeCore _core = null!;
    private IntegratorApp _app = null!;

    [SetUp]
    public void Configure() => target.IgnoreIfUnconfigured();

    [TearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_core is not null)
        {
            await _core.DisposeAsync();
        }
    }

    [Test]
    public async Task EachMovementHasExactlyOneEffectAtTheCoreWithItsKeyAndReplaysHaveNone()
    {
        await StartAsync();

        var reserve = await CallTwiceAsync("reserveFunds", id => GspMessages.Reserve(id, Now, Ten));
        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"), reserve.Raw);
        var hold = HoldOf(reserve.RequestId);
        AssertOneEffect("HOLD", hold, Key(reserve.RequestId), "acct-rich", Ten);

        var capture = await CallTwiceAsync("captureFundsReservation", id => GspMessages.Capture(id, Now, reserve.RequestId, 7_000_000));
        Assert.That(capture.Field("result"), Is.EqualTo("SUCCESS"), capture.Raw);
        AssertOneEffect("CAPTURE", hold, Key(capture.RequestId), "acct-rich", 7_000_000);

        var refund = await CallTwiceAsync("refund", id => GspMessages.Refund(id, Now, capture.RequestId, 2_000_000));
        Assert.That(refund.Field("result"), Is.EqualTo("SUCCESS"), refund.Raw);
        AssertOneEffect("REFUND", refund.Field("paymentIntegratorRefundId")!, Key(refund.RequestId), "acct-rich", 2_000_000);

        var cancelled = await _app.ReserveAsync(Ten);
        var cancel = await CallTwiceAsync("cancelFundsReservation", id => GspMessages.Cancel(id, Now, cancelled));
        Assert.That(cancel.Field("result"), Is.EqualTo("SUCCESS"), cancel.Raw);
        await Eventually.TrueAsync(async () => await OutboxRowsAsync(cancel.RequestId) == 1, "the cancel's notification, once the core confirms");
        AssertOneEffect("RELEASE", HoldOf(cancelled), Key(cancel.RequestId), "acct-rich", Ten);

        // Expiry and support's release are decided by Integrator: their key is fixed on the reservation.
        var expiring = await _app.ReserveAsync(Ten);
        var released = await _app.ReserveAsync(Ten);
        var releasedId = await ReservationIdAsync(released);
        var release = await _app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{released}/release", new { reason = "The customer called" });
        release.AssertStatus(200);
        _app.Clock.Advance(TimeSpan.FromDays(8));
        Assert.That(await _app.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(CancellationToken.None), Is.EqualTo(1));
        var expiringId = await ReservationIdAsync(expiring);
        await Eventually.TrueAsync(() => Task.FromResult(_core.EffectsOn("RELEASE", HoldOf(expiring)).Count == 1 && _core.EffectsOn("RELEASE", HoldOf(released)).Count == 1), "both releases at the core");
        AssertOneEffect("RELEASE", HoldOf(expiring), $"release:{expiringId}", "acct-rich", Ten);
        AssertOneEffect("RELEASE", HoldOf(released), $"release:{releasedId}", "acct-rich", Ten);

        await Task.Delay(500); // anything late would show now
        Assert.Multiple(async () =>
        {
            Assert.That(_core.Core.Effects, Has.Count.EqualTo(9), "4 holds, a capture, a refund, 3 releases: " + string.Join("\n", _core.Core.Effects));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.EqualTo(1), "only Google's cancel is notified");
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM backend_commands WHERE state <> 'CONFIRMED'"), Is.Zero);
            Assert.That(await _app.ScalarAsync<long>("SELECT SUM(held_micros) + SUM(captured_micros) FROM accounts"), Is.Zero, "the embedded ledger is not touched");
            Assert.That(_core.Core.Balance("acct-rich"), Is.EqualTo((1_000_000_000_000L - 7_000_000 + 2_000_000, 0L)), "the core's balance: the capture less the refund, nothing held");
        });
    }

    [TestCase("tok-poor", 100_000_000, "INSUFFICIENT_FUNDS")]
    [TestCase("tok-limited", 200_000_000, "CHARGE_EXCEEDS_TRANSACTION_LIMIT")]
    [TestCase("tok-on-hold", 10_000_000, "ACCOUNT_ON_HOLD")]
    [TestCase("tok-closed", 10_000_000, "ACCOUNT_CLOSED")]
    public async Task TheCoresDeclinesAreGspDeclines(string token, long amount, string code)
    {
        await StartAsync();
        var requestId = GspMessages.NewId("reserve");

        var result = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, amount, token));

        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo(code), result.Raw);
        Assert.That(_core.Core.Effects, Is.Empty);
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations"), Is.Zero);
        var replay = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, amount, token));
        Assert.That(replay.Field("result"), Is.EqualTo(code), "a decline is an answer, replayed");
    }

    [Test]
    public async Task ARefundTheCoreDeclinesIsAGspDeclineAndGivesTheAmountBack()
    {
        await StartAsync();
        var capture = await _app.CaptureAsync(Ten);
        _core.Core.SetStatus("acct-rich", AccountStatus.Closed);

        var declined = await _app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), Now, capture, Ten));
        _core.Core.SetStatus("acct-rich", AccountStatus.Active);
        var refunded = await _app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), Now, capture, Ten));

        Assert.That(declined.Field("result"), Is.EqualTo("ACCOUNT_CLOSED"), declined.Raw);
        Assert.That(refunded.Field("result"), Is.EqualTo("SUCCESS"), "the declined refund's amount was given back to the capture: " + refunded.Raw);
        Assert.That(_core.Core.Effects.Count(e => e.Kind == "REFUND"), Is.EqualTo(1));
    }

    [Test]
    public async Task ACoreSlowerThanTheTimeoutGets503ThenGooglesRetryFindsOneHold()
    {
        await StartAsync(timeout: TimeSpan.FromSeconds(1));
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Slow, Operation = "hold", DelayMs = 2500 });
        var requestId = GspMessages.NewId("reserve");

        var first = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));
        first.AssertStatus(503);
        Assert.That(first.Field("paymentIntegratorErrorIdentifier"), Is.Not.Null, "an ErrorResponse: " + first.Raw);
        Assert.That(first.Field("result"), Is.Null, "nothing Google could take as a decline");

        await WhileTimePassesAsync(async () => await CommandStateAsync(requestId) == "CONFIRMED", "the resolver sends the same key again and gets the core's answer");
        var retry = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));

        retry.AssertStatus(200);
        Assert.That(retry.Field("result"), Is.EqualTo("SUCCESS"));
        AssertOneEffect("HOLD", HoldOf(requestId), Key(requestId), "acct-rich", Ten);
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations"), Is.EqualTo(1));
    }

    [TestCase("hold")]
    [TestCase("capture")]
    [TestCase("refund")]
    public async Task AnAnswerLostAfterTheEffectIsResolvedWithTheSameKey(string operation)
    {
        await StartAsync();
        var reserveId = operation == "hold" ? null : await _app.ReserveAsync(Ten);
        var captureId = operation == "refund" ? await CaptureAsync(reserveId!) : null;
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Lose, Operation = operation });

        var requestId = GspMessages.NewId(operation);
        var result = operation switch
        {
            "hold" => await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten)),
            "capture" => await _app.PostAsync("captureFundsReservation", GspMessages.Capture(requestId, Now, reserveId!, Ten)),
            _ => await _app.PostAsync("refund", GspMessages.Refund(requestId, Now, captureId!, Ten)),
        };

        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"), result.Raw);
        var kind = operation == "hold" ? "HOLD" : operation == "capture" ? "CAPTURE" : "REFUND";
        Assert.That(_core.Core.Effects.Count(e => e.Kind == kind), Is.EqualTo(1), "one effect although it was asked twice");
        Assert.That(_core.Core.Calls.Where(c => c.IdempotencyKey == Key(requestId)).Select(c => c.Status), Is.EqualTo(new[] { 200, 0 }), "lost, then answered under the same key");
        var attempts = await _app.QueryAsync<string>(
            "SELECT a.error FROM backend_command_attempts a JOIN backend_commands c ON c.command_id = a.command_id WHERE c.command_key = @Key ORDER BY a.attempted_at",
            new { Key = Key(requestId) });
        Assert.That(attempts[0], Is.Not.Null, "the lost answer is an attempt support sees, with what went wrong");
    }

    [Test]
    public async Task AReleaseFailingForAWhileIsAnsweredAtOnceAndNotifiedOnlyAfterRecovery()
    {
        await StartAsync();
        var reserveId = await _app.ReserveAsync(Ten);
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Unavailable, Operation = "release", Count = 0, Until = DateTimeOffset.UtcNow.AddSeconds(2) });
        var cancelId = GspMessages.NewId("cancel");

        var started = DateTimeOffset.UtcNow;
        var cancel = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId));
        var answeredIn = DateTimeOffset.UtcNow - started;

        cancel.AssertStatus(200);
        Assert.That(answeredIn, Is.LessThan(TimeSpan.FromSeconds(1)), "the cancel is answered on the durable release, not on the core");
        await Eventually.TrueAsync(() => Task.FromResult(_core.Core.Calls.Any(c => c.Status == 503)), "the core refused the release at least once");
        Assert.That(await OutboxRowsAsync(cancelId), Is.Zero, "no notification while the core has not confirmed");
        await WhileTimePassesAsync(async () => await OutboxRowsAsync(cancelId) == 1, "the notification once the core is back");
        AssertOneEffect("RELEASE", HoldOf(reserveId), Key(cancelId), "acct-rich", Ten);
        Assert.That(await _app.ScalarAsync<long>("SELECT attempt_count FROM backend_commands WHERE command_key = @Key", new { Key = Key(cancelId) }), Is.GreaterThan(1));
    }

    [Test]
    public async Task A202IsConfirmedByTheCoresSignedEvent()
    {
        // Polling only after a minute: the confirmation within seconds can only come from the event.
        await StartAsync(extra: new() { ["Backend:FirstRetryDelay"] = "00:01:00", ["Backend:MaxRetryDelay"] = "00:05:00" });
        _core.EventsTo = (() => _app.Client, "/backend/v1/events");
        var reserveId = await _app.ReserveAsync(Ten);
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Pending, Operation = "release", DelayMs = 500 });
        var cancelId = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "AWAITING", "202: the release awaits the core's confirmation");
        Assert.That(await OutboxRowsAsync(cancelId), Is.Zero);

        await Eventually.TrueAsync(async () => await OutboxRowsAsync(cancelId) == 1, "the event, then the core read back, then the notification");
        Assert.That(_core.EventAnswers, Is.EqualTo(new[] { 204 }));
        Assert.That(await CommandStateAsync(cancelId), Is.EqualTo("CONFIRMED"));
        Assert.That(_core.Core.Calls.Count(c => c.Method == "GET" && c.Path.StartsWith("/holds/", StringComparison.Ordinal)), Is.EqualTo(1), "the hold's state read back once, on the event");
    }

    [Test]
    public async Task A202IsConfirmedByPollingWhenNoEventComes()
    {
        await StartAsync();
        var reserveId = await _app.ReserveAsync(Ten);
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Pending, Operation = "release", DelayMs = 800 });
        var cancelId = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);

        await WhileTimePassesAsync(async () => await OutboxRowsAsync(cancelId) == 1, "polled until the core says RELEASED");
        var operations = await _app.QueryAsync<string>(
            "SELECT a.operation FROM backend_command_attempts a JOIN backend_commands c ON c.command_id = a.command_id WHERE c.command_key = @Key ORDER BY a.attempted_at",
            new { Key = Key(cancelId) });
        Assert.That(operations[0], Is.EqualTo("SEND"));
        Assert.That(operations.Skip(1), Is.Not.Empty.And.All.EqualTo("CHECK"));
        AssertOneEffect("RELEASE", HoldOf(reserveId), Key(cancelId), "acct-rich", Ten);
    }

    [Test]
    public async Task AnEventIsNeverTrustedForWhatItSays()
    {
        await StartAsync(extra: new() { ["Backend:FirstRetryDelay"] = "00:01:00", ["Backend:MaxRetryDelay"] = "00:05:00" });
        var reserveId = await _app.ReserveAsync(Ten);
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Pending, Operation = "release", DelayMs = 600_000 });
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "AWAITING", "awaiting the core");
        var body = Encoding.UTF8.GetBytes($"{{\"holdId\":\"{HoldOf(reserveId)}\"}}");

        var forged = await PostEventAsync(body, FakeCore.Signature(body, "not-the-secret-0123456789"));
        var unsigned = await PostEventAsync(body, null);
        var malformed = await PostEventAsync("{\"hold\":1}"u8.ToArray(), FakeCore.Signature("{\"hold\":1}"u8.ToArray(), FakeCore.EventSecret));
        var signed = await PostEventAsync(body, FakeCore.Signature(body, FakeCore.EventSecret));

        Assert.That((forged, unsigned, malformed, signed), Is.EqualTo((401, 401, 400, 204)));
        await Eventually.TrueAsync(() => Task.FromResult(_core.Core.Calls.Any(c => c.Method == "GET")), "the signed event makes Integrator read the hold back");
        await Task.Delay(300);
        Assert.That(await CommandStateAsync(cancelId), Is.EqualTo("AWAITING"), "the core still says RELEASE_PENDING: nothing changes");
        Assert.That(await OutboxRowsAsync(cancelId), Is.Zero);
    }

    [Test]
    public async Task AReleaseOfAHoldCapturedOutsideIsRefusedWithoutANotificationAndSupportSeesIt()
    {
        await StartAsync();
        var reserveId = await _app.ReserveAsync(Ten);
        Assert.That(_core.Core.CaptureOutside(HoldOf(reserveId)), Is.True);
        var cancelId = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);

        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "REFUSED", "the core answers 409 CAPTURED");
        await Task.Delay(300);
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.Zero, "no notification");
        var view = await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reserveId}");
        view.AssertStatus(200);
        Assert.That(view.Json["releaseRefused"]!.GetValue<bool>(), Is.True, view.Raw);
        var release = view.Json["backendCommands"]!.AsArray().Single(c => c!["kind"]!.GetValue<string>() == "RELEASE")!;
        Assert.That(release["state"]!.GetValue<string>(), Is.EqualTo("REFUSED"));
        Assert.That(release["attempts"]!.AsArray()[0]!["httpStatus"]!.GetValue<int>(), Is.EqualTo(409));
    }

    [TestCase(StandInFault.Malformed, "not the contract's JSON")]
    [TestCase(StandInFault.UnknownStatus, "unexpected status")]
    [TestCase(StandInFault.WrongId, "another hold")]
    [TestCase(StandInFault.Huge, "longer than 64 KiB")]
    public async Task GarbageFromTheCoreIsAFailedAttemptNeverAStateChange(string garbage, string error)
    {
        await StartAsync();
        _core.Core.Faults.Arm(new StandInFault { Kind = garbage, Operation = "hold", Count = 0, Until = DateTimeOffset.UtcNow.AddMinutes(5) });
        var requestId = GspMessages.NewId("reserve");

        var refused = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));

        refused.AssertStatus(503);
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations"), Is.Zero, "no state change on garbage");
        Assert.That(await CommandStateAsync(requestId), Is.EqualTo("PENDING"));
        var errors = await _app.QueryAsync<string>(
            "SELECT a.error FROM backend_command_attempts a JOIN backend_commands c ON c.command_id = a.command_id WHERE c.command_key = @Key",
            new { Key = Key(requestId) });
        Assert.That(errors, Is.Not.Empty.And.All.Contains(error));

        _core.Core.Faults.Clear();
        await WhileTimePassesAsync(async () => await CommandStateAsync(requestId) == "CONFIRMED", "resolved once the core answers sense");
        var retry = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));
        Assert.That(retry.Field("result"), Is.EqualTo("SUCCESS"), retry.Raw);
        Assert.That(_core.Core.Effects, Has.Count.EqualTo(1), "one hold, however many times it was sent");
        Assert.That(_app.Logs.ToString(), Does.Not.Contain("Exception"), "nothing escaped");
    }

    [Test]
    public async Task TheCoreRefusingTheRequestFailsTheCommandWithoutADecline()
    {
        await StartAsync();
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Reject, Operation = "hold" });
        var requestId = GspMessages.NewId("reserve");

        var refused = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));
        var retried = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now, Ten));

        refused.AssertStatus(503);
        Assert.That(refused.Field("result"), Is.Null);
        Assert.That(retried.Field("result"), Is.EqualTo("SUCCESS"), "Google's retry opens the failed command again: " + retried.Raw);
        AssertOneEffect("HOLD", HoldOf(requestId), Key(requestId), "acct-rich", Ten);
    }

    [Test]
    public async Task SupportSeesTheCommandsRetriesOneAndReadinessIsDegradedNotFailed()
    {
        await StartAsync(extra: new() { ["Backend:StuckAfter"] = "00:00:01", ["Backend:FirstRetryDelay"] = "00:00:30", ["Backend:MaxRetryDelay"] = "00:05:00" });
        var reserveId = await _app.ReserveAsync(Ten);
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Unavailable, Operation = "release", Count = 0, Until = DateTimeOffset.UtcNow.AddMinutes(5) });
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(() => Task.FromResult(_core.Core.Calls.Any(c => c.Status == 503)), "a first attempt refused");
        _app.Clock.Advance(TimeSpan.FromSeconds(2));

        // Readiness reads the resolver's statistics, refreshed on its own schedule: it says Degraded once they show the
        // command open past Backend:StuckAfter.
        HttpResponseMessage ready = null!;
        JsonNode readiness = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                ready?.Dispose();
                ready = await _app.Client.GetAsync("/readyz");
                readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
                return readiness["checks"]?["account-backend"]?.GetValue<string>() == "Degraded" || (int)ready.StatusCode != 200;
            },
            "readiness reports the back end degraded");
        var stuck = await _app.SupportAsync(HttpMethod.Get, "backend-commands/stuck");
        var commandId = stuck.Json.AsArray().Single()!["commandId"]!.GetValue<string>();
        _core.Core.Faults.Clear();
        var noReason = await _app.SupportAsync(HttpMethod.Post, $"backend-commands/{commandId}/retry", new { reason = "" });
        var retry = await _app.SupportAsync(HttpMethod.Post, $"backend-commands/{commandId}/retry", new { reason = "The core is back" });

        Assert.Multiple(async () =>
        {
            Assert.That((int)ready.StatusCode, Is.EqualTo(200), "degraded, never failing: Google still gets answers");
            Assert.That(readiness["checks"]!["account-backend"]!.GetValue<string>(), Is.EqualTo("Degraded"), readiness.ToJsonString());
            Assert.That(stuck.Json.AsArray().Single()!["kind"]!.GetValue<string>(), Is.EqualTo("RELEASE"), stuck.Raw);
            retry.AssertStatus(200);
            noReason.AssertProblem(400);
            await Eventually.TrueAsync(async () => await OutboxRowsAsync(cancelId) == 1, "retried at once, not in 30 seconds");
            (await _app.SupportAsync(HttpMethod.Post, $"backend-commands/{commandId}/retry", new { reason = "Again" })).AssertProblem(409);
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM support_audit WHERE action = 'retry back-end command'"), Is.EqualTo(2), "both audited, the refusal too");
        });
        var view = await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reserveId}");
        var attempts = view.Json["backendCommands"]!.AsArray().Single(c => c!["kind"]!.GetValue<string>() == "RELEASE")!["attempts"]!.AsArray();
        Assert.That(attempts.Select(a => a!["httpStatus"]!.GetValue<int>()), Is.EqualTo(new[] { 503, 200 }), view.Raw);
    }

    [Test]
    public async Task NoBackendCredentialReachesTheLog()
    {
        await StartAsync();
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Lose, Operation = "hold" });
        _core.Core.Faults.Arm(new StandInFault { Kind = StandInFault.Reject, Operation = "capture" });
        var reserveId = await _app.ReserveAsync(Ten);
        await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("capture"), Now, reserveId, Ten));
        var body = Encoding.UTF8.GetBytes($"{{\"holdId\":\"{HoldOf(reserveId)}\"}}");
        await PostEventAsync(body, FakeCore.Signature(body, FakeCore.EventSecret));
        await PostEventAsync(body, "sha256=00");

        var logs = _app.Logs.ToString();
        Assert.That(logs, Does.Contain("Back-end"), "the back end was logged about");
        Assert.That(logs, Does.Not.Contain(FakeCore.Token).And.Not.Contain(FakeCore.EventSecret).And.Not.Contain("Bearer"));
    }

    [Test]
    public async Task TheRedirectPageListsTheCoresAccountsAndBindsTheTokenToOne()
    {
        await StartAsync();
        _core.Core.Open("acct-core-only", "USD", 500_000_000, AccountStatus.Active, customerId: TestLedger.Customer);

        var page = await (await _app.Client.GetAsync("/dev/google/redirect?amount=25.00&currency=USD")).Content.ReadAsStringAsync();
        var chooser = await PostFormAsync(page, "SignIn", new() { ["CustomerId"] = TestLedger.Customer, ["Passcode"] = TestLedger.Passcode });
        var chooserPage = await chooser.Content.ReadAsStringAsync();
        Assert.That(chooserPage, Does.Contain("acct-core-only"), "the core's account, unknown to the seed, is offered");
        var approve = await PostFormAsync(chooserPage, "Approve", new() { ["AccountId"] = "acct-core-only" });
        var back = await approve.Content.ReadAsStringAsync();
        var handBack = JsonNode.Parse(back)!;
        Assert.That(handBack["redirectResponse"]!["result"]!.ToJsonString(), Does.Contain("success"), back);

        var token = handBack["redirectRequestId"]!.GetValue<string>();
        var reserve = await _app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now, Ten, token));
        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"), reserve.Raw);
        Assert.That(_core.Core.Effects.Single().AccountId, Is.EqualTo("acct-core-only"));
    }

    private long Now => _app.Clock.NowMillis;

    private static string Key(string requestId) => $"{GspMessages.AccountId}:{requestId}";

    private static string HoldOf(string reserveRequestId) => Key(reserveRequestId);

    private async Task StartAsync(TimeSpan? timeout = null, Dictionary<string, string?>? extra = null)
    {
        _core = await FakeCore.StartAsync();
        var settings = _core.Settings(timeout);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _app = IntegratorApp.Start(settings, storage: target);
    }

    private async Task<string> CaptureAsync(string reserveId)
    {
        var captureId = GspMessages.NewId("capture");
        (await _app.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, Now, reserveId, Ten))).AssertStatus(200);
        return captureId;
    }

    /// <summary>
    /// Calls a method, then again with the same requestId (Google's retry): the same answer, asserted here; that the
    /// replay caused nothing at the core, the callers' one-effect assertions and the final count say.
    /// </summary>
    private async Task<Called> CallTwiceAsync(string method, Func<string, JsonObject> body)
    {
        var requestId = GspMessages.NewId(method);
        var first = await _app.PostAsync(method, body(requestId));
        var replay = await _app.PostAsync(method, body(requestId));
        first.AssertStatus(200);
        replay.AssertStatus(200);
        Assert.That(WithoutTimestamp(replay.Json), Is.EqualTo(WithoutTimestamp(first.Json)), $"{method}: the replay is the same answer");
        return new Called(requestId, first);
    }

    private void AssertOneEffect(string kind, string id, string key, string accountId, long amountMicros)
    {
        var effects = _core.EffectsOn(kind, id);
        Assert.That(effects, Has.Count.EqualTo(1), $"{kind} {id}: {string.Join("; ", _core.Core.Effects)}");
        Assert.That((effects[0].IdempotencyKey, effects[0].AccountId, effects[0].AmountMicros), Is.EqualTo((key, accountId, amountMicros)), kind);
    }

    /// <summary>
    /// Waits for a background job's effect while the server's clock moves on (a quarter second per poll): what the jobs
    /// schedule comes due by that clock, as it would with real time.
    /// </summary>
    private async Task WhileTimePassesAsync(Func<Task<bool>> condition, string what) =>
        await Eventually.TrueAsync(
            async () =>
            {
                _app.Clock.Advance(TimeSpan.FromMilliseconds(250));
                return await condition();
            },
            what,
            TimeSpan.FromSeconds(30));

    private Task<long> OutboxRowsAsync(string cancelId) =>
        _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @CancelId", new { CancelId = cancelId });

    private async Task<string?> CommandStateAsync(string requestId) =>
        (await _app.QueryAsync<string>("SELECT state FROM backend_commands WHERE command_key = @Key", new { Key = Key(requestId) })).SingleOrDefault();

    private async Task<string> ReservationIdAsync(string reserveId) =>
        await _app.ScalarAsync<string>("SELECT reservation_id FROM reservations WHERE reserve_request_id = @Id", new { Id = reserveId });

    private async Task<int> PostEventAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/backend/v1/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null)
        {
            request.Headers.Add("X-Signature", signature);
        }

        using var response = await _app.Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private Task<HttpResponseMessage> PostFormAsync(string page, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        return _app.Client.PostAsync($"/redirect-payment-token-v1/redirect?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static string WithoutTimestamp(JsonNode json)
    {
        var copy = json.DeepClone().AsObject();
        copy.Remove("responseHeader");
        return copy.ToJsonString();
    }

    private sealed record Called(string RequestId, GspResult Result)
    {
        public string Raw => Result.Raw;

        public string? Field(string name) => Result.Field(name);
    }
}
