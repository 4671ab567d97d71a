using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Reservations;

/// <summary>reserveFunds results from the ledger and the captureFundsReservation rules (docs/gsp-rules.md §1).</summary>
public sealed class ReserveAndCaptureTests
{
    private IntegratorApp _app = null!;

    [OneTimeSetUp]
    public void Start() => _app = IntegratorApp.Start(new Dictionary<string, string?> { ["Reservations:Lifetime"] = "1.00:00:00" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [TestCase("tok-poor", 6_000_000, "INSUFFICIENT_FUNDS")]
    [TestCase("tok-closed", 1_000_000, "ACCOUNT_CLOSED")]
    [TestCase("tok-on-hold", 1_000_000, "ACCOUNT_ON_HOLD")]
    [TestCase("tok-limited", 100_000_001, "CHARGE_EXCEEDS_TRANSACTION_LIMIT")]
    public async Task DeclinesAreHttp200WithTheResultAndHoldNothing(string token, long amount, string expected)
    {
        var held = await _app.ScalarAsync<long>("SELECT SUM(held_micros) FROM accounts");
        var requestId = GspMessages.NewId("reserve");
        var body = GspMessages.Reserve(requestId, _app.Clock.NowMillis, amount, token);

        var result = await _app.PostAsync("reserveFunds", body);
        var replay = await _app.PostAsync("reserveFunds", body);

        result.AssertStatus(200);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Field("result"), Is.EqualTo(expected));
            Assert.That(result.Json.AsObject().ContainsKey("expirationTimestamp"), Is.False);
            Assert.That(replay.Field("paymentIntegratorTransactionId"), Is.EqualTo(result.Field("paymentIntegratorTransactionId")), "declines replay too");
            Assert.That(await _app.ScalarAsync<long>("SELECT SUM(held_micros) FROM accounts"), Is.EqualTo(held));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations WHERE reserve_request_id = @requestId", new { requestId }), Is.Zero);
        });
    }

    [Test]
    public async Task SuccessHoldsTheAmountUntilTheLifetimeEnds()
    {
        var requestId = GspMessages.NewId("reserve");
        var result = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis, 2_500_000, "tok-limited"));

        result.AssertStatus(200);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"));
            Assert.That(result.Field("paymentIntegratorTransactionId"), Is.Not.Empty);
            Assert.That(long.Parse(result.Field("expirationTimestamp")!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(_app.Clock.NowMillis + 86_400_000));
            Assert.That(await _app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-limited'"), Is.EqualTo(2_500_000));
        });
    }

    [Test]
    public async Task ExactlyTheAvailableAmountCanBeHeldOnce()
    {
        await using var app = IntegratorApp.Start();
        var first = await app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), app.Clock.NowMillis, 5_000_000, "tok-poor"));
        var second = await app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), app.Clock.NowMillis, 1, "tok-poor"));

        Assert.That(first.Field("result"), Is.EqualTo("SUCCESS"));
        Assert.That(second.Field("result"), Is.EqualTo("INSUFFICIENT_FUNDS"));
    }

    [Test]
    public async Task UnknownTokenIs404AndForeignCurrencyIs400()
    {
        var state = await _app.StateAsync();

        var unknown = await _app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), _app.Clock.NowMillis, token: "tok-nobody"));
        var foreign = await _app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), _app.Clock.NowMillis, token: "tok-inr", currency: "USD"));

        unknown.AssertError(404, "INVALID_IDENTIFIER");
        Assert.That(unknown.Field("errorDescription"), Does.Contain("googlePaymentToken").And.Not.Contain("tok-nobody"));
        foreign.AssertError(400, "INVALID_FIELD_VALUE");
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
    }

    [Test]
    public async Task CaptureDebitsOnceAndReleasesTheWholeHold()
    {
        var reservation = await _app.ReserveAsync(amountMicros: 9_000_000, token: "tok-limited");
        var before = await AccountAsync("acct-limited");
        var body = GspMessages.Capture(GspMessages.NewId("capture"), _app.Clock.NowMillis, reservation, 6_000_000);

        var result = await _app.PostAsync("captureFundsReservation", body);
        var replay = await _app.PostAsync("captureFundsReservation", body);

        result.AssertStatus(200);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"));
            Assert.That(replay.Field("paymentIntegratorCaptureId"), Is.EqualTo(result.Field("paymentIntegratorCaptureId")));
            var after = await AccountAsync("acct-limited");
            Assert.That(after.Held, Is.EqualTo(before.Held - 9_000_000));
            Assert.That(after.Captured, Is.EqualTo(before.Captured + 6_000_000));
            Assert.That(await _app.ScalarAsync<string>("SELECT state FROM reservations WHERE reserve_request_id = @reservation", new { reservation }), Is.EqualTo("CAPTURED"));
        });
    }

    [Test]
    public async Task CaptureRulesAnswerPreconditionViolation()
    {
        var overCaptured = await _app.ReserveAsync(amountMicros: 1_000_000);
        var captured = await _app.ReserveAsync();
        (await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, captured))).AssertStatus(200);
        var cancelled = await _app.ReserveAsync();
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("c"), _app.Clock.NowMillis, cancelled))).AssertStatus(200);
        var state = await _app.StateAsync();

        var tooMuch = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, overCaptured, 1_000_001));
        var twice = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, captured));
        var ofCancelled = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, cancelled));
        var unknown = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), _app.Clock.NowMillis, "no-such-reservation"));

        tooMuch.AssertError(400, "PRECONDITION_VIOLATION");
        twice.AssertError(400, "PRECONDITION_VIOLATION");
        ofCancelled.AssertError(400, "PRECONDITION_VIOLATION");
        unknown.AssertError(404, "INVALID_IDENTIFIER");
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
    }

    [Test]
    public async Task CaptureOfAnExpiredReservationIsRefused()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Reservations:Lifetime"] = "00:01:00" });
        var reservation = await app.ReserveAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var result = await app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), app.Clock.NowMillis, reservation));

        result.AssertError(400, "PRECONDITION_VIOLATION");
    }

    private async Task<(long Held, long Captured)> AccountAsync(string accountId) =>
        (await _app.QueryAsync<(long, long)>("SELECT held_micros, captured_micros FROM accounts WHERE account_id = @accountId", new { accountId }))[0];
}
