using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Idempotency;

/// <summary>Idempotency records, journal entries and replay counts are kept for Idempotency:Retention (at least 30 days), then purged.</summary>
public sealed class RetentionTests
{
    [Test]
    public async Task RecordsOlderThanTheRetentionArePurgedAndTheKeyIsThenNew()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?>
        {
            ["Idempotency:Retention"] = "30.00:00:00",
            ["Idempotency:PurgeInterval"] = "00:00:00.200",
        });
        var reservation = await app.ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        (await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation))).AssertStatus(200);
        (await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation))).AssertStatus(200);
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_replays") == 1, "replay counted");

        app.Clock.Advance(TimeSpan.FromDays(29));
        await Task.Delay(600);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records"), Is.EqualTo(2), "kept within the retention");
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_replays"), Is.EqualTo(1), "replay count kept within the retention");

        app.Clock.Advance(TimeSpan.FromDays(2));
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records") == 0, "records purged");
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal") == 0, "journal purged");
        await Eventually.TrueAsync(async () => await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_replays") == 0, "replay counts purged");

        // A purged key is a new request: the reservation is already cancelled, so it succeeds, and the cancel
        // request's one notification is not queued twice.
        var again = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation));
        again.AssertStatus(200);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE outcome = 'EXECUTED'"), Is.EqualTo(1));
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }), Is.EqualTo(1));
    }
}
