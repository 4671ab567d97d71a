using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Refunds;

/// <summary>
/// refund over real HTTP on a real SQLite file (docs/gsp-rules.md §7, README "refund"): full and partial refunds of a capture credit the account
/// once each and never more than was captured; successes and declines replay, errors do not; declines are only a
/// closed or held account; no time limit. The per-engine race of partial refunds is in StorageConformanceTests.
/// </summary>
public sealed partial class RefundTests
{
    [Test]
    public async Task AFullRefundCreditsTheAccountAndIsRecordedWithItsCapture()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        var refundId = GspMessages.NewId("refund");

        var result = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 10_000_000));

        result.AssertStatus(200);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"));
            Assert.That(result.Field("paymentIntegratorRefundId"), Is.Not.Empty);
            Assert.That(
                await app.ScalarAsync<string>("SELECT refund_id FROM refunds WHERE refund_request_id = @refundId", new { refundId }),
                Is.EqualTo(result.Field("paymentIntegratorRefundId")));
            Assert.That(await app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero, "captured, net of refunds");
            Assert.That(await app.ScalarAsync<long>("SELECT refunded_micros FROM captures WHERE capture_request_id = @capture", new { capture }), Is.EqualTo(10_000_000));
            Assert.That(
                await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @refundId AND outcome = 'EXECUTED'", new { refundId }),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ThreePartialRefundsSumToTheCaptureAndAFourthIsRefusedChangingNothing()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        foreach (var amount in new[] { 3_000_000L, 3_000_000, 4_000_000 })
        {
            var partial = await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, amount));
            Assert.That(partial.Field("result"), Is.EqualTo("SUCCESS"), partial.Raw);
        }

        var before = await app.StateAsync();
        var fourth = await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, 1));

        fourth.AssertError(400, "PRECONDITION_VIOLATION");
        Assert.That(fourth.Field("errorDescription"), Does.Contain("exceeds the amount remaining"));
        Assert.That(await app.StateAsync(), Is.EqualTo(before));
        Assert.That(await app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero);
    }

    [Test]
    public async Task ARetriedSuccessIsReplayedAndMovesNoMoneyTwice()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        var refundId = GspMessages.NewId("refund");
        var first = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 2_500_000));
        app.Clock.Advance(TimeSpan.FromSeconds(2));

        var retry = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 2_500_000));

        retry.AssertStatus(200);
        Assert.That(WithoutTimestamp(retry.Raw), Is.EqualTo(WithoutTimestamp(first.Raw)));
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM refunds"), Is.EqualTo(1));
        Assert.That(await app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.EqualTo(7_500_000));
    }

    [Test]
    public async Task AReusedRequestIdWithOtherParametersOrAnotherMethodIs412()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        var refundId = GspMessages.NewId("refund");
        (await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 1_000_000))).AssertStatus(200);
        var before = await app.StateAsync();

        var otherAmount = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 2_000_000));
        var otherMethod = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(refundId, app.Clock.NowMillis, capture));

        otherAmount.AssertError(412, "IDEMPOTENCY_VIOLATION");
        otherMethod.AssertError(412, "IDEMPOTENCY_VIOLATION");
        Assert.That(await app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task AnUnknownCaptureIs404AndNotRememberedSoTheSameRequestSucceedsOnceTheCaptureExists()
    {
        await using var app = IntegratorApp.Start();
        var reservation = await app.ReserveAsync(5_000_000);
        var captureId = GspMessages.NewId("capture");
        var refundId = GspMessages.NewId("refund");
        var before = await app.StateAsync();

        var early = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, captureId, 5_000_000));
        early.AssertError(404, "INVALID_IDENTIFIER");
        Assert.That(early.Field("errorDescription"), Does.Contain("captureRequestId"));
        Assert.That(await app.StateAsync(), Is.EqualTo(before));

        (await app.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, app.Clock.NowMillis, reservation, 5_000_000))).AssertStatus(200);
        var later = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, captureId, 5_000_000));

        later.AssertStatus(200);
        Assert.That(later.Field("result"), Is.EqualTo("SUCCESS"));
    }

    [Test]
    public async Task AReservationThatWasNeverCapturedHasNothingToRefund()
    {
        await using var app = IntegratorApp.Start();
        var reservation = await app.ReserveAsync(5_000_000);

        var result = await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, reservation, 5_000_000));

        result.AssertError(404, "INVALID_IDENTIFIER");
    }

    [Test]
    public async Task ACurrencyOtherThanTheCapturesIsAnInvalidField()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        var before = await app.StateAsync();

        var result = await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, 1_000_000, currency: "EUR"));

        result.AssertError(400, "INVALID_FIELD_VALUE");
        Assert.That(result.Field("errorDescription"), Does.Contain("currencyCode"));
        Assert.That(await app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task ACaptureWhoseReservationExpiredLongAgoIsStillRefundable()
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        app.Clock.Advance(TimeSpan.FromDays(400));

        var result = await app.PostAsync("refund", GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, 10_000_000));

        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"));
    }

    [TestCase("CLOSED", "ACCOUNT_CLOSED")]
    [TestCase("ON_HOLD", "ACCOUNT_ON_HOLD")]
    public async Task AClosedOrHeldAccountDeclinesMovingNoMoneyAndTheDeclineIsReplayed(string status, string decline)
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(1_000_000, token: "tok-limited");
        await app.ExecuteAsync("UPDATE accounts SET status = @status WHERE account_id = 'acct-limited'", new { status });
        var refundId = GspMessages.NewId("refund");

        var first = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 1_000_000));
        await app.ExecuteAsync("UPDATE accounts SET status = 'ACTIVE' WHERE account_id = 'acct-limited'");
        var retry = await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 1_000_000));

        await Assert.MultipleAsync(async () =>
        {
            first.AssertStatus(200);
            Assert.That(first.Field("result"), Is.EqualTo(decline));
            Assert.That(first.Field("paymentIntegratorRefundId"), Is.Null);
            Assert.That(WithoutTimestamp(retry.Raw), Is.EqualTo(WithoutTimestamp(first.Raw)), "a decline is a 200: replayed, not run again");
            Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM refunds"), Is.Zero);
            Assert.That(await app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-limited'"), Is.EqualTo(1_000_000), "no credit");
        });
    }

    [TestCase("captureRequestId", null, 400, "MISSING_REQUIRED_FIELD")]
    [TestCase("refundAmount", null, 400, "MISSING_REQUIRED_FIELD")]
    [TestCase("currencyCode", null, 400, "MISSING_REQUIRED_FIELD")]
    [TestCase("refundAmount", "0", 400, "INVALID_FIELD_VALUE")]
    [TestCase("refundAmount", "-5", 400, "INVALID_FIELD_VALUE")]
    [TestCase("currencyCode", "usd", 400, "INVALID_FIELD_VALUE")]
    [TestCase("captureRequestId", "has spaces", 400, "INVALID_FIELD_VALUE")]
    [TestCase("paymentIntegratorAccountId", "SomeoneElse", 404, "INVALID_IDENTIFIER")]
    public async Task BadInputGetsItsErrorAndChangesNothing(string field, string? value, int status, string code)
    {
        await using var app = IntegratorApp.Start();
        var capture = await app.CaptureAsync(10_000_000);
        var body = GspMessages.Refund(GspMessages.NewId("refund"), app.Clock.NowMillis, capture, 1_000_000);
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = value;
        }

        var before = await app.StateAsync();
        var result = await app.PostAsync("refund", body);

        result.AssertError(status, code);
        Assert.That(await app.StateAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task TheReservationPageShowsItsCaptureRefundsAndWhatIsLeftToRefund()
    {
        await using var app = IntegratorApp.Start();
        var reservation = await app.ReserveAsync(10_000_000);
        var capture = GspMessages.NewId("capture");
        (await app.PostAsync("captureFundsReservation", GspMessages.Capture(capture, app.Clock.NowMillis, reservation, 8_000_000))).AssertStatus(200);
        var refundId = GspMessages.NewId("refund");
        (await app.PostAsync("refund", GspMessages.Refund(refundId, app.Clock.NowMillis, capture, 3_000_000))).AssertStatus(200);

        var page = await app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reservation}");

        page.AssertStatus(200);
        var json = page.Json["capture"]!;
        Assert.Multiple(() =>
        {
            Assert.That(json["captureRequestId"]!.GetValue<string>(), Is.EqualTo(capture));
            Assert.That(json["amount"]!["value"]!.GetValue<string>(), Is.EqualTo("8.00"));
            Assert.That(json["refunded"]!["value"]!.GetValue<string>(), Is.EqualTo("3.00"));
            Assert.That(json["refundable"]!["value"]!.GetValue<string>(), Is.EqualTo("5.00"));
            Assert.That(json["refunds"]![0]!["refundRequestId"]!.GetValue<string>(), Is.EqualTo(refundId));
            Assert.That(page.Json["requests"]!.AsArray().Select(r => r!["method"]!.GetValue<string>()), Does.Contain("refund"));
        });
    }

    private static string WithoutTimestamp(string raw) => Timestamp().Replace(raw, "\"responseTimestamp\": \"*\"");

    [GeneratedRegex("\"responseTimestamp\": \"\\d+\"")]
    private static partial Regex Timestamp();
}
