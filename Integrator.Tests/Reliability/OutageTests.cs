using Integrator.Core.Storage;
using Integrator.Tests.Infrastructure;
using Npgsql;

namespace Integrator.Tests.Reliability;

/// <summary>
/// The database or Google's endpoint goes away and comes back: calls during a database outage are answered 503 with
/// an ErrorResponse and write nothing, the 503 is not remembered, and notifications queued while Google is down for
/// longer than a lease are delivered afterwards, each once. (SQLite's lock held by another writer: BoundedWaitTests.)
/// </summary>
[NonParallelizable]
public sealed class OutageTests
{
    [Test]
    public async Task PostgresGoneIs503WithNoPartialWriteAndTheRetryIsProcessedNormally()
    {
        var target = StorageTarget.All.Single(t => t.Provider == StorageProvider.Postgres);
        target.IgnoreIfUnconfigured();
        var folder = Directory.CreateTempSubdirectory("pg-outage-").FullName;
        var database = await target.CreateDatabaseAsync(folder);
        var direct = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        await using var relay = new TcpRelay(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = relay.Port, Timeout = 2, CommandTimeout = 5 };
        await using var app = IntegratorApp.Start(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = relayed.ConnectionString,
        });
        try
        {
            var reservation = await app.ReserveAsync();
            var before = await app.StateAsync();
            var cancelId = GspMessages.NewId("cancel");

            await relay.StopAsync();
            var during = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation));
            relay.Start();

            Assert.That(during.Status, Is.EqualTo(503), during.Raw);
            Assert.That(during.Field("paymentIntegratorErrorIdentifier"), Is.Not.Empty, "an ErrorResponse");
            Assert.That(await app.StateAsync(), Is.EqualTo(before), "nothing of the cancel was written");
            var retry = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, app.Clock.NowMillis, reservation));
            retry.AssertStatus(200);
            Assert.That(retry.Field("result"), Is.EqualTo("SUCCESS"));
            Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }), Is.EqualTo(1));
        }
        finally
        {
            await database.Drop();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task GoogleDownForLongerThanALeaseThenEachNotificationIsDeliveredOnce()
    {
        var folder = Directory.CreateTempSubdirectory("google-outage-").FullName;
        var googlePort = FakeGoogle.FreePort();
        var environment = ServerProcess.Environment(folder, new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = $"http://127.0.0.1:{googlePort}/gsp",
            ["Notifications__PollInterval"] = "00:00:00.100",
            ["Notifications__Lease"] = "00:00:01.500",
            ["Notifications__HttpTimeout"] = "00:00:00.300",
            ["Notifications__FirstRetryDelay"] = "00:00:00.200",
            ["Notifications__MaxRetryDelay"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await using var first = await ServerProcess.StartAsync(environment);
        await using var second = await ServerProcess.StartAsync(environment);

        var cancelIds = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var server = i % 2 == 0 ? first : second;
            var reserveId = GspMessages.NewId("reserve");
            (await server.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, Now(), 1_000_000))).AssertStatus(200);
            var cancelId = GspMessages.NewId("cancel");
            (await server.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Now(), reserveId))).AssertStatus(200);
            cancelIds.Add(cancelId);
        }

        // Four leases' worth of refused connections and retries by both dispatchers.
        await Task.Delay(TimeSpan.FromSeconds(6));
        await using var google = await FakeGoogle.StartAsync(googlePort);
        await Eventually.TrueAsync(
            () => Task.FromResult(google.Received.Select(r => r.Notification?.CancelFundsReservationRequestId).Distinct().Count() >= cancelIds.Count),
            "every notification delivered after Google came back", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.That(google.Received.Select(r => r.Notification!.CancelFundsReservationRequestId), Is.EquivalentTo(cancelIds), "each once, none twice");
        Assert.That(first.HasExited || second.HasExited, Is.False, first.Output + second.Output);
        Directory.Delete(folder, recursive: true);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
