using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Cancellation;

/// <summary>
/// cancelFundsReservation as docs/gsp-rules.md §3–4 define it, through HTTP, against the SQLite file: with plaintext bodies,
/// signed and encrypted (MessageSecurity:Mode=Pgp), and with replays read from the database rather than from the
/// process's recent responses (as on another instance or after a restart).
/// </summary>
[TestFixtureSource(nameof(Modes))]
public sealed class IdempotentCancelTests(string mode, bool recentResponses)
{
    private IntegratorApp _app = null!;

    public static IEnumerable<TestFixtureData> Modes =>
    [
        new("None", true),
        new("Pgp", true),
        new TestFixtureData("None", false).SetArgDisplayNames("None", "replays from the database"),
    ];

    [OneTimeSetUp]
    public void Start() => _app = StartApp();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [Test]
    public async Task ReplayIsIdenticalButForTheResponseTimestampAndChangesNothingTwice()
    {
        var reservation = await _app.ReserveAsync(amountMicros: 7_000_000);
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reservation);

        var first = await _app.PostAsync("cancelFundsReservation", cancel);
        var heldAfterFirst = await HeldAsync();
        _app.Clock.Advance(TimeSpan.FromSeconds(5));
        cancel["requestHeader"]!["requestTimestamp"] = _app.Clock.NowMillis.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var replay = await _app.PostAsync("cancelFundsReservation", cancel);

        first.AssertStatus(200);
        replay.AssertStatus(200);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(first.Field("result"), Is.EqualTo("SUCCESS"));
            Assert.That(WithoutTimestamp(replay.Raw), Is.EqualTo(WithoutTimestamp(first.Raw)), "byte-identical but for responseTimestamp");
            Assert.That(ResponseTimestamp(replay), Is.EqualTo(ResponseTimestamp(first) + 5_000));
            Assert.That(await HeldAsync(), Is.EqualTo(heldAfterFirst), "the hold was released once");
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE reservation_id = (SELECT reservation_id FROM reservations WHERE reserve_request_id = @reservation)", new { reservation }), Is.EqualTo(1));
            Assert.That(await EventsAsync(reservation), Is.EqualTo(new[] { "RESERVED", "CANCELLED" }));
        });
        var id = cancel["requestHeader"]!["requestId"]!.GetValue<string>();
        await Eventually.TrueAsync(
            async () => await _app.ScalarAsync<long>("SELECT COALESCE(SUM(replay_count), 0) FROM request_replays WHERE request_id = @id", new { id }) == 1,
            "the replay is counted in the journal");
    }

    [Test]
    public async Task SameKeyWithAnotherReservationIs412()
    {
        var first = await _app.ReserveAsync();
        var second = await _app.ReserveAsync();
        var requestId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(requestId, _app.Clock.NowMillis, first))).AssertStatus(200);
        var state = await _app.StateAsync();

        var result = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(requestId, _app.Clock.NowMillis, second));

        result.AssertError(412, "IDEMPOTENCY_VIOLATION");
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
        Assert.That(await StateOfAsync(second), Is.EqualTo("RESERVED"));
    }

    [Test]
    public async Task SameRequestIdOnAnotherMethodIs412()
    {
        var reservation = await _app.ReserveAsync();
        var requestId = GspMessages.NewId("shared");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(requestId, _app.Clock.NowMillis, reservation))).AssertStatus(200);

        var capture = await _app.PostAsync("captureFundsReservation", GspMessages.Capture(requestId, _app.Clock.NowMillis, reservation));
        var reserve = await _app.PostAsync("reserveFunds", GspMessages.Reserve(requestId, _app.Clock.NowMillis));

        capture.AssertError(412, "IDEMPOTENCY_VIOLATION");
        reserve.AssertError(412, "IDEMPOTENCY_VIOLATION");
    }

    [Test]
    public async Task FiftyConcurrentDuplicatesExecuteOnce()
    {
        var reservation = await _app.ReserveAsync(amountMicros: 3_000_000);
        var requestId = GspMessages.NewId("cancel");
        var body = GspMessages.Cancel(requestId, _app.Clock.NowMillis, reservation);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _app.PostAsync("cancelFundsReservation", body.DeepClone())));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200), string.Join("\n", results.Select(r => r.Raw).Distinct()));
            Assert.That(results.Select(r => r.Field("result")), Is.All.EqualTo("SUCCESS"));
            Assert.That(results.Select(r => WithoutTimestamp(r.Raw)).Distinct().Count(), Is.EqualTo(1));
            Assert.That(await EventsAsync(reservation), Is.EqualTo(new[] { "RESERVED", "CANCELLED" }), "exactly one state change");
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @requestId", new { requestId }), Is.EqualTo(1));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @requestId AND outcome = 'EXECUTED'", new { requestId }), Is.EqualTo(1));
        });
        await Eventually.TrueAsync(
            async () => await _app.ScalarAsync<long>("SELECT COALESCE(SUM(replay_count), 0) FROM request_replays WHERE request_id = @requestId", new { requestId }) == 49,
            "49 replays counted");
    }

    [Test]
    public async Task ErrorsAreNotCachedSoARetryAfterTheReservationExistsSucceeds()
    {
        var reserveRequestId = GspMessages.NewId("late-reserve");
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reserveRequestId);

        var early = await _app.PostAsync("cancelFundsReservation", cancel);
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveRequestId, _app.Clock.NowMillis))).AssertStatus(200);
        var retry = await _app.PostAsync("cancelFundsReservation", cancel);

        early.AssertError(404, "INVALID_IDENTIFIER");
        Assert.That(early.Field("errorDescription"), Does.Contain("reserveFundsRequestId"));
        retry.AssertStatus(200);
        Assert.That(retry.Field("result"), Is.EqualTo("SUCCESS"));
        Assert.That(await StateOfAsync(reserveRequestId), Is.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task ExpiredReservationCancelsAsSuccessAndReleasesTheHold()
    {
        await using var app = StartApp(new Dictionary<string, string?> { ["Reservations:Lifetime"] = "00:10:00" });
        var reservation = await app.ReserveAsync(amountMicros: 4_000_000);
        Assert.That(await app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.EqualTo(4_000_000));
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        var result = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, reservation));

        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"));
        Assert.That(await app.ScalarAsync<string>("SELECT state FROM reservations WHERE reserve_request_id = @reservation", new { reservation }), Is.EqualTo("EXPIRED"));
        Assert.That(await app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.EqualTo(1));
    }

    [Test]
    public async Task ANewCancelOfACancelledReservationSucceedsWithItsOwnNotification()
    {
        var reservation = await _app.ReserveAsync();
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reservation))).AssertStatus(200);
        var held = await HeldAsync();

        var second = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reservation));

        second.AssertStatus(200);
        Assert.That(second.Field("result"), Is.EqualTo("SUCCESS"));
        Assert.That(await HeldAsync(), Is.EqualTo(held), "nothing released twice");
        Assert.That(await EventsAsync(reservation), Is.EqualTo(new[] { "RESERVED", "CANCELLED" }));
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox n JOIN reservations r ON r.reservation_id = n.reservation_id WHERE r.reserve_request_id = @reservation", new { reservation }), Is.EqualTo(2));
    }

    [Test]
    public async Task CapturedReservationCannotBeCancelled()
    {
        var reservation = await _app.ReserveAsync();
        (await _app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("capture"), _app.Clock.NowMillis, reservation))).AssertStatus(200);
        var state = await _app.StateAsync();

        var result = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reservation));

        result.AssertError(400, "PRECONDITION_VIOLATION");
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
    }

    [Test]
    public async Task TheOutboxRowCarriesWhatTheNotificationNeeds()
    {
        var reservation = await _app.ReserveAsync();
        var requestId = GspMessages.NewId("cancel");
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(requestId, _app.Clock.NowMillis, reservation))).AssertStatus(200);

        var rows = await _app.QueryAsync<(string NotificationId, string PaymentIntegratorAccountId, string Result, string Status)>(
            "SELECT notification_id, payment_integrator_account_id, result, status FROM outbox WHERE cancel_request_id = @requestId", new { requestId });

        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(rows[0].NotificationId, Does.Match("^[A-Za-z0-9:_-]{1,100}$"), "the notification's own GSP requestId");
            Assert.That(rows[0].PaymentIntegratorAccountId, Is.EqualTo(GspMessages.AccountId));
            Assert.That(rows[0].Result, Is.EqualTo("SUCCESS"));
            Assert.That(rows[0].Status, Is.EqualTo("PENDING"));
        });
    }

    private IntegratorApp StartApp(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        if (!recentResponses)
        {
            settings["Idempotency:RecentResponses"] = "0";
        }

        if (mode == "Pgp")
        {
            foreach (var (key, value) in TestKeys.PgpSettings())
            {
                settings[key] = value;
            }
        }

        return IntegratorApp.Start(settings);
    }

    private Task<long> HeldAsync() => _app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'");

    private Task<string> StateOfAsync(string reserveRequestId) =>
        _app.ScalarAsync<string>("SELECT state FROM reservations WHERE reserve_request_id = @reserveRequestId", new { reserveRequestId });

    private async Task<string[]> EventsAsync(string reserveRequestId) =>
        (await _app.QueryAsync<string>(
            "SELECT e.to_state FROM reservation_events e JOIN reservations r ON r.reservation_id = e.reservation_id WHERE r.reserve_request_id = @reserveRequestId ORDER BY e.occurred_at, e.event_id",
            new { reserveRequestId })).ToArray();

    private static long ResponseTimestamp(GspResult result) =>
        long.Parse(result.Json["responseHeader"]!["responseTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private static string WithoutTimestamp(string raw) =>
        System.Text.RegularExpressions.Regex.Replace(raw, "\"responseTimestamp\": \"\\d+\"", "\"responseTimestamp\": \"*\"");
}
