using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Notifications;

/// <summary>
/// The outbox dispatcher against a fake Google on 127.0.0.1 (docs/gsp-rules.md §5): one notification per successful cancel,
/// retries with the same GSP requestId, leases across dispatchers, the horizon, and graceful shutdown.
/// </summary>
public sealed class NotificationDeliveryTests
{
    public static Dictionary<string, string?> Delivering(FakeGoogle google, Uri? baseUrl = null) => new()
    {
        ["Notifications:Enabled"] = "true",
        ["Notifications:PollInterval"] = "00:00:00.050",
        ["Notifications:HttpTimeout"] = "00:00:02",
        ["Notifications:Lease"] = "00:01:00",
        ["Google:BaseUrl"] = (baseUrl ?? google.BaseUrl).ToString(),
    };

    [Test]
    public async Task OneCancelDeliversExactlyOneNotification()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var app = IntegratorApp.Start(Delivering(google));

        var cancelId = await app.ReserveAndCancelAsync();

        await Eventually.TrueAsync(async () => await StatusAsync(app, cancelId) == "DELIVERED", "delivered");
        await Task.Delay(300); // nothing further may arrive
        Assert.That(google.Received, Has.Count.EqualTo(1));
        var received = google.Received[0];
        Assert.Multiple(() =>
        {
            Assert.That(received.Path, Is.EqualTo("/gsp/redirect-payment-token-v1/cancelFundsReservationResultNotification/" + GspMessages.AccountId));
            Assert.That(received.ContentType, Does.StartWith("application/json"));
            Assert.That(received.Notification!.CancelFundsReservationRequestId, Is.EqualTo(cancelId));
            Assert.That(received.Notification.PaymentIntegratorAccountId, Is.EqualTo(GspMessages.AccountId));
            Assert.That(received.Notification.CancelFundsReservationResult.ToString(), Is.EqualTo("Success"));
            Assert.That(received.Notification.RequestHeader.ProtocolVersion.Major, Is.EqualTo(1));
            Assert.That(received.Notification.RequestHeader.RequestTimestamp, Is.EqualTo(app.Clock.NowMillis), "requestTimestamp is the send time");
        });
        Assert.That(received.RequestId, Is.EqualTo(await NotificationIdAsync(app, cancelId)), "the row's id is the GSP requestId");
    }

    [Test]
    public async Task RefusedConnectionsThenGoogleComesUpDeliversWithTheSameRequestId()
    {
        var port = FakeGoogle.FreePort();
        await using var app = IntegratorApp.Start(Delivering(null!, new Uri($"http://127.0.0.1:{port}/gsp")));
        var cancelId = await app.ReserveAndCancelAsync();

        await WaitForAttemptsAsync(app, cancelId, 1);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await WaitForAttemptsAsync(app, cancelId, 2);
        await using var google = await FakeGoogle.StartAsync(port);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await Eventually.TrueAsync(async () => await StatusAsync(app, cancelId) == "DELIVERED", "delivered once Google is up");
        var attempts = await app.QueryAsync<(long? HttpStatus, string Outcome, string? Error)>(
            "SELECT a.http_status, a.outcome, a.error FROM outbox_attempts a JOIN outbox n ON n.notification_id = a.notification_id WHERE n.cancel_request_id = @cancelId ORDER BY a.attempted_at",
            new { cancelId });
        Assert.That(attempts.Select(a => a.Outcome), Is.EqualTo(new[] { "FAILED", "FAILED", "DELIVERED" }));
        Assert.That(attempts[0].HttpStatus, Is.Null);
        Assert.That(attempts[0].Error, Is.Not.Empty, "the connection error is recorded");
        Assert.That(google.Received.Select(r => r.RequestId), Is.EqualTo(new[] { await NotificationIdAsync(app, cancelId) }));
    }

    [Test]
    public async Task ThreeServerErrorsThenOkAreFourAttemptsOneDelivered()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = call => call <= 3 ? 500 : 200;
        await using var app = IntegratorApp.Start(Delivering(google));
        var cancelId = await app.ReserveAndCancelAsync();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await WaitForAttemptsAsync(app, cancelId, attempt);
            app.Clock.Advance(TimeSpan.FromHours(1));
        }

        await Eventually.TrueAsync(async () => await StatusAsync(app, cancelId) == "DELIVERED", "delivered on the fourth attempt");
        var statuses = await app.QueryAsync<long>(
            "SELECT a.http_status FROM outbox_attempts a JOIN outbox n ON n.notification_id = a.notification_id WHERE n.cancel_request_id = @cancelId ORDER BY a.attempted_at",
            new { cancelId });
        Assert.That(statuses, Is.EqualTo(new long[] { 500, 500, 500, 200 }));
        Assert.That(google.Received.Select(r => r.RequestId).Distinct().Count(), Is.EqualTo(1), "every attempt carries the same requestId");
        Assert.That(google.Received, Has.Count.EqualTo(4));
        Assert.That(await app.ScalarAsync<long>("SELECT attempt_count FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }), Is.EqualTo(4));
    }

    [Test]
    public async Task RetriesBackOffExponentially()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 503;
        var settings = Delivering(google);
        settings["Notifications:FirstRetryDelay"] = "00:00:10";
        await using var app = IntegratorApp.Start(settings);
        var cancelId = await app.ReserveAndCancelAsync();

        await WaitForAttemptsAsync(app, cancelId, 1);
        var first = await NextAttemptDelayAsync(app, cancelId);
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        await WaitForAttemptsAsync(app, cancelId, 2);
        var second = await NextAttemptDelayAsync(app, cancelId);

        Assert.That(first, Is.InRange(7_500, 10_000), "first retry: 10 s with 75–100% jitter");
        Assert.That(second, Is.InRange(15_000, 20_000), "second retry: doubled");
    }

    [Test]
    public async Task TwoDispatchersOnOneDatabaseDeliverEachRowExactlyOnce()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var writer = IntegratorApp.Start();
        var cancels = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            cancels.Add(await writer.ReserveAndCancelAsync());
        }

        var settings = Delivering(google);
        settings["Notifications:BatchSize"] = "8";
        await using var first = IntegratorApp.Start(settings, shareWith: writer);
        await using var second = IntegratorApp.Start(settings, shareWith: writer);

        await Eventually.TrueAsync(
            async () => await writer.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED'") == 200,
            "all 200 delivered", TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        var received = google.Received.Select(r => r.Notification!.CancelFundsReservationRequestId).ToList();
        Assert.That(received, Has.Count.EqualTo(200), "no row was sent twice");
        Assert.That(received, Is.EquivalentTo(cancels));
        var dispatchers = await writer.QueryAsync<string>("SELECT DISTINCT dispatcher FROM outbox_attempts");
        Assert.That(dispatchers, Has.Count.EqualTo(2), "both dispatchers took part");
    }

    [Test]
    public async Task LeasesOfADeadDispatcherAreTakenOverWhenTheyExpire()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var writer = IntegratorApp.Start();
        var cancelId = await writer.ReserveAndCancelAsync();
        // A dispatcher claimed the row and died: its lease runs for a minute from now.
        await writer.ExecuteAsync(
            "UPDATE outbox SET lease_owner = 'dead-host:1:deadbeef', lease_expires_at = @until WHERE cancel_request_id = @cancelId",
            new { until = writer.Clock.NowMillis + 60_000, cancelId });

        await using var survivor = IntegratorApp.Start(Delivering(google), shareWith: writer);
        await Task.Delay(500);
        Assert.That(google.Received, Is.Empty, "a live lease is respected");

        survivor.Clock.Advance(TimeSpan.FromSeconds(61));
        await Eventually.TrueAsync(async () => await StatusAsync(writer, cancelId) == "DELIVERED", "taken over after the lease expired");
        Assert.That(google.Received, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task PastTheHorizonTheRowIsDeadAndNothingMoreIsSent()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 500;
        await using var app = IntegratorApp.Start(Delivering(google));
        var cancelId = await app.ReserveAndCancelAsync();

        await WaitForAttemptsAsync(app, cancelId, 1);
        app.Clock.Advance(TimeSpan.FromHours(73));
        await Eventually.TrueAsync(async () => await StatusAsync(app, cancelId) == "DEAD", "dead past the 72 h horizon");
        var sent = google.Received.Count;
        app.Clock.Advance(TimeSpan.FromDays(10));
        await Task.Delay(500);

        Assert.That(google.Received, Has.Count.EqualTo(sent), "nothing is sent after DEAD");
        Assert.That(await app.ScalarAsync<string>("SELECT last_error FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }), Is.EqualTo("HTTP 500"));
    }

    [Test]
    public async Task ShutdownReleasesTheLeasesOfSendsInFlight()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 0; // hang
        var settings = Delivering(google);
        settings["Notifications:HttpTimeout"] = "00:00:30";
        settings["Notifications:Lease"] = "00:05:00";
        settings["Notifications:ShutdownGrace"] = "00:00:00.200";
        await using var owner = IntegratorApp.Start();
        var sender = IntegratorApp.Start(settings, shareWith: owner);
        var cancelId = await sender.ReserveAndCancelAsync();
        await Eventually.TrueAsync(() => Task.FromResult(google.Received.Count == 1), "the send is in flight");
        var leased = await owner.ScalarAsync<string>("SELECT lease_owner FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId });

        await sender.DisposeAsync(); // graceful stop

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(leased, Is.Not.Null);
            Assert.That(await owner.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL"), Is.Zero, "lease released");
            Assert.That(await StatusAsync(owner, cancelId), Is.EqualTo("PENDING"), "nothing lost");
            Assert.That(await owner.ScalarAsync<long>("SELECT attempt_count FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }), Is.Zero);
        });
    }

    public static Task WaitForAttemptsAsync(IntegratorApp app, string cancelId, int attempts) =>
        Eventually.TrueAsync(
            async () => await app.ScalarAsync<long>("SELECT attempt_count FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }) >= attempts,
            $"{attempts} attempts");

    public static Task<string> StatusAsync(IntegratorApp app, string cancelId) =>
        app.ScalarAsync<string>("SELECT status FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId });

    private static Task<string> NotificationIdAsync(IntegratorApp app, string cancelId) =>
        app.ScalarAsync<string>("SELECT notification_id FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId });

    private static async Task<long> NextAttemptDelayAsync(IntegratorApp app, string cancelId) =>
        await app.ScalarAsync<long>("SELECT next_attempt_at FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }) - app.Clock.NowMillis;
}
