using System.Text.Json.Nodes;
using Integrator.Core.Backend.StandIn;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Backend;

/// <summary>
/// The Mollie provider against Mollie's Payments API as the stand-in serves it over real HTTP on 127.0.0.1 (docs/mollie.md):
/// every GSP method, with the calls Mollie received read field by field; replays, lost answers, releases confirmed only
/// when the payment reads canceled, webhooks that only say "look", 422s judged by reading the payment, and JPY.
/// </summary>
[TestFixtureSource(typeof(StorageTarget), nameof(StorageTarget.All))]
public sealed class MollieBackendTests(StorageTarget target)
{
    private const long Ten = 10_000_000;

    private FakeMollie _mollie = null!;
    private IntegratorApp _app = null!;

    [SetUp]
    public async Task StartAsync()
    {
        target.IgnoreIfUnconfigured();
        _mollie = await FakeMollie.StartAsync();
        _app = IntegratorApp.Start(_mollie.Settings(), storage: target);
        _mollie.WebhooksTo = () => _app.Client;
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_mollie is not null)
        {
            await _mollie.DisposeAsync();
        }
    }

    [Test]
    public async Task EveryMethodIsTheMollieCallItShouldBeFieldByField()
    {
        var reserveId = GspMessages.NewId("reserve");
        var reserve = await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, Now, Ten));
        var replay = await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, Now, Ten));

        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"), reserve.Raw);
        Assert.That(replay.Field("paymentIntegratorTransactionId"), Is.EqualTo(reserve.Field("paymentIntegratorTransactionId")));
        var created = Calls("POST", "/payments").Single();
        Assert.That(created.IdempotencyKey, Is.EqualTo(Key(reserveId)));
        var payment = JsonNode.Parse(created.Body!)!;
        Assert.Multiple(() =>
        {
            Assert.That(payment["amount"]!.ToJsonString(), Is.EqualTo("""{"currency":"USD","value":"10.00"}"""));
            Assert.That(payment["description"]!.GetValue<string>(), Is.EqualTo("Google - Music"));
            Assert.That(payment["sequenceType"]!.GetValue<string>(), Is.EqualTo("recurring"));
            Assert.That(payment["captureMode"]!.GetValue<string>(), Is.EqualTo("manual"));
            Assert.That(payment["customerId"]!.GetValue<string>(), Is.EqualTo("cst_ada"));
            Assert.That(payment["mandateId"]!.GetValue<string>(), Is.EqualTo("mdt_rich"));
            Assert.That(payment["webhookUrl"]!.GetValue<string>(), Is.EqualTo("http://localhost/backend/v1/mollie"));
            Assert.That(payment["metadata"]!["paymentIntegratorAccountId"]!.GetValue<string>(), Is.EqualTo(GspMessages.AccountId));
            Assert.That(payment["metadata"]!["requestId"]!.GetValue<string>(), Is.EqualTo(reserveId));
        });
        var tr = _mollie.Mollie.PaymentOf(Key(reserveId))!;

        var captureId = GspMessages.NewId("capture");
        var capture = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, Now, reserveId, 7_000_000));
        Assert.That(capture.Field("result"), Is.EqualTo("SUCCESS"), capture.Raw);
        var captured = Calls("POST", $"/payments/{tr}/captures").Single();
        Assert.That(captured.IdempotencyKey, Is.EqualTo(Key(captureId)));
        Assert.That(JsonNode.Parse(captured.Body!)!["amount"]!.ToJsonString(), Is.EqualTo("""{"currency":"USD","value":"7.00"}"""));

        var refundId = GspMessages.NewId("refund");
        var refund = await _app.PostAsync("refund", GspMessages.Refund(refundId, Now, captureId, 2_500_000));
        Assert.That(refund.Field("result"), Is.EqualTo("SUCCESS"), refund.Raw);
        var refunded = Calls("POST", $"/payments/{tr}/refunds").Single();
        Assert.That(refunded.IdempotencyKey, Is.EqualTo(Key(refundId)));
        Assert.That(JsonNode.Parse(refunded.Body!)!["amount"]!.ToJsonString(), Is.EqualTo("""{"currency":"USD","value":"2.50"}"""));

        var cancelled = await _app.ReserveAsync(Ten);
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, cancelled))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await OutboxRowsAsync(cancelId) == 1, "the notification once the payment reads canceled");
        var release = Calls("POST", $"/payments/{_mollie.Mollie.PaymentOf(Key(cancelled))}/release-authorization").Single();
        Assert.That(release.IdempotencyKey, Is.EqualTo(Key(cancelId)));
        Assert.That(_mollie.Mollie.Effects.Select(e => e.Kind), Is.EquivalentTo(new[] { "HOLD", "CAPTURE", "REFUND", "HOLD", "RELEASE" }));
        Assert.That(_mollie.Mollie.Calls.Count(c => c.Method == "POST"), Is.EqualTo(5), "the replay made no call");
    }

    [TestCase("tok-poor", "ACCOUNT_CLOSED", false)]
    [TestCase("tok-poor", "INSUFFICIENT_FUNDS", true)]
    [TestCase("tok-on-hold", "ACCOUNT_ON_HOLD", true)]
    [TestCase("tok-closed", "ACCOUNT_CLOSED", true)]
    public async Task AFailedAuthorizationIsAGspDecline(string token, string code, bool known)
    {
        if (!known)
        {
            // A card whose mandate is no longer valid: Mollie refuses the payment (422 on mandateId).
            _mollie.Mollie.AddMandate("cst_ada", "mdt_poor", valid: false);
        }

        var result = await _app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now, Ten, token));

        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo(code), result.Raw);
        Assert.That(_mollie.Mollie.Effects, Is.Empty);
    }

    [Test]
    public async Task AnAnswerLostAfterThePaymentWasCreatedIsAnsweredWithoutASecondPayment()
    {
        _mollie.Mollie.Faults.Arm(new StandInFault { Kind = StandInFault.Lose, Operation = "hold" });
        var reserveId = GspMessages.NewId("reserve");

        var result = await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, Now, Ten));

        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"), result.Raw);
        Assert.That(Calls("POST", "/payments").Select(c => c.IdempotencyKey), Is.EqualTo(new[] { Key(reserveId), Key(reserveId) }), "sent again under its key");
        Assert.That(_mollie.Mollie.Effects, Has.Count.EqualTo(1), "one payment");
    }

    [Test]
    public async Task ACancelIsNotifiedOnlyOnceThePaymentReadsCanceled()
    {
        _mollie.Mollie.ReleaseDelay = TimeSpan.FromSeconds(2);
        var reserveId = await _app.ReserveAsync(Ten);
        var cancelId = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "AWAITING", "202: Mollie will release it");
        await Task.Delay(500);
        Assert.That(await OutboxRowsAsync(cancelId), Is.Zero, "authorized still: no notification");

        await Eventually.TrueAsync(async () => await OutboxRowsAsync(cancelId) == 1, "canceled, then the webhook, then the notification");
        Assert.That(_mollie.WebhookAnswers, Has.All.EqualTo(200));
    }

    [Test]
    public async Task AWebhookOnlySaysLook()
    {
        _mollie.Mollie.Faults.Arm(new StandInFault { Kind = StandInFault.Pending, Operation = "release", DelayMs = 600_000 });
        var reserveId = await _app.ReserveAsync(Ten);
        var cancelId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "AWAITING", "the release awaits canceled");
        var tr = _mollie.Mollie.PaymentOf(Key(reserveId))!;
        var reads = ReadsOf(tr);

        await _mollie.Mollie.SendWebhookAsync(tr);
        await Eventually.TrueAsync(() => Task.FromResult(ReadsOf(tr) > reads), "the payment read back on the webhook");
        var unknown = await PostWebhookAsync("id=tr_NotOurs123");
        var malformed = await PostWebhookAsync("payment=1");

        Assert.That(_mollie.WebhookAnswers, Is.EqualTo(new[] { 200 }));
        Assert.That((unknown, malformed), Is.EqualTo((200, 400)));
        Assert.That(await CommandStateAsync(cancelId), Is.EqualTo("AWAITING"), "the payment is still authorized: nothing changed");
        Assert.That(await OutboxRowsAsync(cancelId), Is.Zero);
    }

    [Test]
    public async Task A422OnACanceledPaymentConfirmsTheRelease()
    {
        var reserveId = await _app.ReserveAsync(Ten);
        var first = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(first, Now, reserveId))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await OutboxRowsAsync(first) == 1, "the first cancel confirmed");
        var second = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(second, Now, reserveId))).AssertStatus(200);

        await Eventually.TrueAsync(async () => await OutboxRowsAsync(second) == 1, "Google's second cancel: 422, the payment reads canceled, confirmed");
        var tr = _mollie.Mollie.PaymentOf(Key(reserveId))!;
        Assert.That(Calls("POST", $"/payments/{tr}/release-authorization").Select(c => c.Status), Is.EqualTo(new[] { 202, 422 }));
        Assert.That(_mollie.Mollie.Effects.Count(e => e.Kind == "RELEASE"), Is.EqualTo(1));
    }

    [Test]
    public async Task A422OnAPaidPaymentIsARefusedReleaseSupportSees()
    {
        var reserveId = await _app.ReserveAsync(Ten);
        Assert.That(_mollie.Mollie.CaptureOutside(_mollie.Mollie.PaymentOf(Key(reserveId))!), Is.True);
        var cancelId = GspMessages.NewId("cancel");

        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now, reserveId))).AssertStatus(200);

        await Eventually.TrueAsync(async () => await CommandStateAsync(cancelId) == "REFUSED", "captured in the dashboard: the release is refused");
        var view = await _app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reserveId}");
        Assert.That(view.Json["releaseRefused"]!.GetValue<bool>(), Is.True, view.Raw);
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.Zero);
    }

    [Test]
    public async Task JapaneseYenHaveNoDecimals()
    {
        var reserveId = GspMessages.NewId("reserve");
        var reserve = await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, Now, 1_000_000_000, "tok-jpy", "JPY"));
        var fraction = await _app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now, 1_000_500_000, "tok-jpy", "JPY"));

        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"), reserve.Raw);
        Assert.That(JsonNode.Parse(Calls("POST", "/payments").Single().Body!)!["amount"]!.ToJsonString(), Is.EqualTo("""{"currency":"JPY","value":"1000"}"""));
        fraction.AssertError(400, "INVALID_FIELD_VALUE");
        Assert.That(fraction.Raw, Does.Contain("JPY has 0 decimals"));
    }

    [Test]
    public async Task TheApiKeyNeverReachesTheLog()
    {
        _mollie.Mollie.Faults.Arm(new StandInFault { Kind = StandInFault.Lose, Operation = "hold" });
        var reserveId = await _app.ReserveAsync(Ten);
        await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), Now, reserveId));
        await Eventually.TrueAsync(() => Task.FromResult(_mollie.WebhookAnswers.Count > 0), "a webhook");

        Assert.That(_app.Logs.ToString(), Does.Contain("Back-end").And.Not.Contain(FakeMollie.ApiKey).And.Not.Contain("Bearer"));
    }

    private long Now => _app.Clock.NowMillis;

    private static string Key(string requestId) => $"{GspMessages.AccountId}:{requestId}";

    private List<StandInCall> Calls(string method, string path) =>
        [.. _mollie.Mollie.Calls.Where(c => c.Method == method && c.Path == path).Reverse()];

    private int ReadsOf(string paymentId) => _mollie.Mollie.Calls.Count(c => c.Method == "GET" && c.Path == $"/payments/{paymentId}");

    private Task<long> OutboxRowsAsync(string cancelId) =>
        _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @CancelId", new { CancelId = cancelId });

    private async Task<string?> CommandStateAsync(string requestId) =>
        (await _app.QueryAsync<string>("SELECT state FROM backend_commands WHERE command_key = @Key", new { Key = Key(requestId) })).SingleOrDefault();

    private async Task<int> PostWebhookAsync(string form)
    {
        using var content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _app.Client.PostAsync("/backend/v1/mollie", content);
        return (int)response.StatusCode;
    }
}
