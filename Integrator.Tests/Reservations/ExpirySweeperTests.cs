using Integrator.Core.Reservations;
using Integrator.Tests.Infrastructure;
using Integrator.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Reservations;

/// <summary>The expiry sweeper (README "What it does"): expired reservations release their holds, once, beside cancels.</summary>
public sealed class ExpirySweeperTests
{
    [Test]
    public async Task ExpiredReservationsReleaseTheirHoldsAndALaterCancelSucceedsWithANotification()
    {
        await using var google = await FakeGoogle.StartAsync();
        var settings = NotificationDeliveryTests.Delivering(google);
        settings["Reservations:Lifetime"] = "00:10:00";
        settings["Reservations:SweepInterval"] = "00:00:00.100";
        await using var app = IntegratorApp.Start(settings);
        var reservations = new[] { await app.ReserveAsync(1_000_000), await app.ReserveAsync(2_000_000), await app.ReserveAsync(3_000_000) };
        app.Clock.Advance(TimeSpan.FromMinutes(9));
        var live = await app.ReserveAsync(4_000_000);
        Assert.That(await HeldAsync(app), Is.EqualTo(10_000_000));

        app.Clock.Advance(TimeSpan.FromMinutes(2));

        await Eventually.TrueAsync(async () => await HeldAsync(app) == 4_000_000, "the three expired holds are released");
        Assert.That(
            await app.QueryAsync<string>("SELECT state FROM reservations ORDER BY created_at, amount_micros"),
            Is.EqualTo(new[] { "EXPIRED", "EXPIRED", "EXPIRED", "RESERVED" }));
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM reservation_events WHERE cause = 'expirySweeper' AND to_state = 'EXPIRED'"), Is.EqualTo(3));
        Assert.That(live, Is.Not.Empty);

        var cancelId = GspMessages.NewId("cancel");
        var cancel = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservations[0]));
        cancel.AssertStatus(200);
        Assert.That(cancel.Field("result"), Is.EqualTo("SUCCESS"));
        await Eventually.TrueAsync(async () => await NotificationDeliveryTests.StatusAsync(app, cancelId) == "DELIVERED", "the cancel's notification");
        Assert.That(google.Received.Single().Notification!.CancelFundsReservationRequestId, Is.EqualTo(cancelId));
    }

    [Test]
    public async Task SweepingBesideCancelsOfTheSameReservationsMovesEachOnce()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Reservations:Lifetime"] = "00:01:00" });
        var reservations = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            reservations.Add(await app.ReserveAsync(1_000_000));
        }

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var sweeper = app.Services.GetRequiredService<ExpirySweeper>();

        var cancels = reservations.Select(r => app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, r)));
        var sweeps = Enumerable.Range(0, 3).Select(_ => sweeper.SweepOnceAsync(CancellationToken.None));
        var results = await Task.WhenAll(cancels);
        await Task.WhenAll(sweeps);

        Assert.That(results.Select(r => r.Field("result")), Is.All.EqualTo("SUCCESS"));
        Assert.That(await HeldAsync(app), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations WHERE state = 'EXPIRED'"), Is.EqualTo(30));
        Assert.That(
            await app.ScalarAsync<long>("SELECT COUNT(*) FROM (SELECT reservation_id FROM reservation_events GROUP BY reservation_id HAVING COUNT(*) <> 2)"),
            Is.Zero, "every reservation has exactly RESERVED then EXPIRED");
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.EqualTo(30));
    }

    private static Task<long> HeldAsync(IntegratorApp app) =>
        app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'");
}
