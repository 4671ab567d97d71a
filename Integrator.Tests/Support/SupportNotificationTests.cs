using Integrator.Tests.Infrastructure;
using Integrator.Tests.Notifications;

namespace Integrator.Tests.Support;

/// <summary>The outbox through the support API: list and inspect, resend one, recover DEAD ones.</summary>
public sealed class SupportNotificationTests
{
    [Test]
    public async Task DeadRowsAreListedInspectedAndRecoveredAndGoogleGetsEachOnceWithTheSameRequestId()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 503;
        await using var app = IntegratorApp.Start(NotificationDeliveryTests.Delivering(google));
        var cancels = new[] { await app.ReserveAndCancelAsync(), await app.ReserveAndCancelAsync(), await app.ReserveAndCancelAsync() };
        foreach (var cancel in cancels)
        {
            await NotificationDeliveryTests.WaitForAttemptsAsync(app, cancel, 1);
        }

        app.Clock.Advance(TimeSpan.FromHours(73));
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'DEAD'") == 3, "all DEAD");
        var sentBefore = google.Received.Count;

        var dead = await app.SupportAsync(HttpMethod.Get, "notifications?status=DEAD");
        dead.AssertStatus(200);
        var items = dead.Json["items"]!.AsArray();
        Assert.That(items.Select(i => i!["cancelRequestId"]!.GetValue<string>()), Is.EquivalentTo(cancels));
        var notificationId = items[0]!["notificationId"]!.GetValue<string>();

        var detail = await app.SupportAsync(HttpMethod.Get, $"notifications/{notificationId}");
        detail.AssertStatus(200);
        Assert.That(detail.Json["attempts"]!.AsArray().Select(a => a!["httpStatus"]!.GetValue<int>()), Is.EqualTo(new[] { 503, 503 }));
        Assert.That(detail.Json["lastError"]!.GetValue<string>(), Is.EqualTo("HTTP 503"));

        google.Respond = _ => 200;
        var recover = await app.SupportAsync(HttpMethod.Post, "notifications/recover", new
        {
            since = DateTimeOffset.FromUnixTimeMilliseconds(app.Clock.NowMillis).AddDays(-10),
            until = DateTimeOffset.FromUnixTimeMilliseconds(app.Clock.NowMillis),
            reason = "Google's endpoint was down",
        });

        recover.AssertStatus(200);
        Assert.That(recover.Json["rearmed"]!.GetValue<int>(), Is.EqualTo(3));
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED'") == 3, "recovered rows delivered");
        await Task.Delay(300);
        var afterRecovery = google.Received.Skip(sentBefore).ToList();
        Assert.That(afterRecovery.Select(r => r.Notification!.CancelFundsReservationRequestId), Is.EquivalentTo(cancels), "each once");
        var ids = await app.QueryAsync<string>("SELECT notification_id FROM outbox");
        Assert.That(afterRecovery.Select(r => r.RequestId), Is.EquivalentTo(ids), "same GSP requestId as before");

        var audit = await app.SupportAsync(HttpMethod.Get, "audit?limit=1");
        Assert.That(audit.Json[0]!["action"]!.GetValue<string>(), Is.EqualTo("recover"));
        Assert.That(audit.Json[0]!["outcome"]!.GetValue<string>(), Is.EqualTo("re-armed 3"));
    }

    [Test]
    public async Task ResendReArmsADeadRowOnceAndIsGuardedWhileLeasedOrDelivered()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 500;
        await using var app = IntegratorApp.Start(NotificationDeliveryTests.Delivering(google));
        var cancelId = await app.ReserveAndCancelAsync();
        await NotificationDeliveryTests.WaitForAttemptsAsync(app, cancelId, 1);
        app.Clock.Advance(TimeSpan.FromHours(73));
        await Eventually.TrueAsync(async () => await NotificationDeliveryTests.StatusAsync(app, cancelId) == "DEAD", "DEAD");
        var id = await app.ScalarAsync<string>("SELECT notification_id FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId });

        google.Respond = _ => 200;
        var resend = await app.SupportAsync(HttpMethod.Post, $"notifications/{id}/resend", null);
        resend.AssertStatus(200);
        Assert.That(resend.Json["previousStatus"]!.GetValue<string>(), Is.EqualTo("DEAD"));
        await Eventually.TrueAsync(async () => await NotificationDeliveryTests.StatusAsync(app, cancelId) == "DELIVERED", "delivered after the resend");

        var delivered = await app.SupportAsync(HttpMethod.Post, $"notifications/{id}/resend", null);
        delivered.AssertProblem(409);
        var forcedWithoutReason = await app.SupportAsync(HttpMethod.Post, $"notifications/{id}/resend", new { force = true });
        forcedWithoutReason.AssertProblem(400);

        await app.ExecuteAsync("UPDATE outbox SET lease_owner = 'busy-dispatcher', lease_expires_at = @until WHERE notification_id = @id", new { until = app.Clock.NowMillis + 60_000, id });
        var leased = await app.SupportAsync(HttpMethod.Post, $"notifications/{id}/resend", new { force = true, reason = "Google asks again" });
        leased.AssertProblem(409);
        Assert.That(leased.Json["detail"]!.GetValue<string>(), Does.Contain("busy-dispatcher"));

        await app.ExecuteAsync("UPDATE outbox SET lease_owner = NULL, lease_expires_at = NULL WHERE notification_id = @id", new { id });
        var forced = await app.SupportAsync(HttpMethod.Post, $"notifications/{id}/resend", new { force = true, reason = "Google asks again" });
        forced.AssertStatus(200);
        await Eventually.TrueAsync(() => Task.FromResult(google.Received.Count(r => r.Notification?.CancelFundsReservationRequestId == cancelId && r.RequestId == id) >= 3), "sent again, same requestId");

        var actions = (await app.SupportAsync(HttpMethod.Get, "audit?limit=10")).Json.AsArray().Select(a => $"{a!["action"]} {a["outcome"]}").ToList();
        Assert.That(actions, Does.Contain("resend (forced) re-armed").And.Contain("resend refused: leased").And.Contain("resend refused: delivered").And.Contain("resend re-armed"));
    }

    [Test]
    public async Task ListingPagesThroughEveryRowOnce()
    {
        await using var app = IntegratorApp.Start();
        var cancels = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            cancels.Add(await app.ReserveAndCancelAsync());
            app.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await app.SupportAsync(HttpMethod.Get, "notifications?limit=3" + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after)));
            page.AssertStatus(200);
            seen.AddRange(page.Json["items"]!.AsArray().Select(i => i!["cancelRequestId"]!.GetValue<string>()));
            after = page.Json["next"]?.GetValue<string>();
        }
        while (after is not null);

        Assert.That(seen, Is.EqualTo(cancels));
        (await app.SupportAsync(HttpMethod.Get, "notifications?status=LOST")).AssertProblem(400);
        (await app.SupportAsync(HttpMethod.Get, "notifications?after=garbage")).AssertProblem(400);
        (await app.SupportAsync(HttpMethod.Get, "notifications/no-such-id")).AssertProblem(404);
        (await app.SupportAsync(HttpMethod.Post, "notifications/no-such-id/resend", null)).AssertProblem(404);
        (await app.SupportAsync(HttpMethod.Post, "notifications/recover", new { since = "2030-01-01T00:00:00Z", until = "2020-01-01T00:00:00Z" })).AssertProblem(400);
    }
}
