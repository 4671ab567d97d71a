using System.Diagnostics;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Idempotency;

/// <summary>
/// When the database cannot take a write (another writer holds the SQLite file), a request waits at most
/// Storage:LockTimeout and is answered 503, which is not remembered; a duplicate of a request still in flight waits at
/// most Idempotency:InFlightWait and is answered 409. Neither ever executes twice.
/// </summary>
public sealed class BoundedWaitTests
{
    [Test]
    public async Task LockedDatabaseIs503AndTheRetryIsProcessedNormally()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Storage:LockTimeout"] = "00:00:00.500" });
        var reservation = await app.ReserveAsync();
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, reservation);
        var state = await app.StateAsync();

        GspResult during;
        var stopwatch = Stopwatch.StartNew();
        await using (await SqliteWriteLock.TakeAsync(app))
        {
            during = await app.PostAsync("cancelFundsReservation", cancel);
        }

        stopwatch.Stop();
        Assert.That(during.Status, Is.EqualTo(503), during.Raw);
        Assert.That(during.Field("paymentIntegratorErrorIdentifier"), Is.Not.Empty);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the wait is bounded");
        Assert.That(await app.StateAsync(), Is.EqualTo(state), "no partial write");

        var retry = await app.PostAsync("cancelFundsReservation", cancel);
        retry.AssertStatus(200);
        Assert.That(retry.Field("result"), Is.EqualTo("SUCCESS"));
    }

    [Test]
    public async Task DuplicateOfARequestStillInFlightIs409ThenReplays()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?>
        {
            ["Storage:LockTimeout"] = "00:00:03",
            ["Idempotency:InFlightWait"] = "00:00:00.200",
        });
        var reservation = await app.ReserveAsync();
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, reservation);

        Task<GspResult> first;
        GspResult duplicate;
        await using (var writeLock = await SqliteWriteLock.TakeAsync(app))
        {
            first = app.PostAsync("cancelFundsReservation", cancel);
            await writeLock.WaitForGoogleCallsAsync(1); // the first now holds the key and waits for the database
            duplicate = await app.PostAsync("cancelFundsReservation", cancel.DeepClone());
        }

        duplicate.AssertStatus(409);
        Assert.That(duplicate.ErrorCode, Is.Null, "409 has no GSP code; never USER_ACTION_IN_PROGRESS");
        (await first).AssertStatus(200);
        var retry = await app.PostAsync("cancelFundsReservation", cancel);
        retry.AssertStatus(200);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox"), Is.EqualTo(1));
        await Eventually.TrueAsync(
            async () => await app.ScalarAsync<long>("SELECT COALESCE(SUM(replay_count), 0) FROM request_replays") == 1,
            "the retry is a replay");
    }
}
