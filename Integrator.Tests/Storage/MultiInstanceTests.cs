using Integrator.Core.Storage;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Storage;

/// <summary>
/// Two Integrator server processes (Kestrel on 127.0.0.1, different ports) on one database, as behind a load balancer:
/// a cancel sent 200 times at once through both executes once, and 1,000 distinct cancels through both are each
/// notified once.
/// </summary>
[TestFixtureSource(typeof(StorageTarget), nameof(StorageTarget.All))]
[NonParallelizable]
public sealed class MultiInstanceTests(StorageTarget target)
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multi-instance-").FullName;
    private TestDatabase? _database;
    private FakeGoogle _google = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;
    private Database _db = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        target.IgnoreIfUnconfigured();
        _database = await target.CreateDatabaseAsync(_folder);
        _db = TestDatabases.Open(_database);
        _google = await FakeGoogle.StartAsync();
        var environment = ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = _google.BaseUrl.ToString(),
            ["Notifications__PollInterval"] = "00:00:00.100",
            ["Logging__LogLevel__Default"] = "Warning",
        }, _database);
        _first = await ServerProcess.StartAsync(environment);
        _second = await ServerProcess.StartAsync(environment);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_database is null)
        {
            return;
        }

        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _google.DisposeAsync();
        await _db.DisposeAsync();
        await _database.Drop();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task TwoHundredCopiesOfOneCancelThroughBothInstancesExecuteOnce()
    {
        var reservation = await ReserveAsync(0);
        var requestId = GspMessages.NewId("cancel");
        var body = GspMessages.Cancel(requestId, Now(), reservation);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Server(i).PostAsync("cancelFundsReservation", body.DeepClone())));

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200), string.Join("\n", results.Select(r => r.Raw).Distinct()));
        Assert.That(results.Select(r => r.Field("result")), Is.All.EqualTo("SUCCESS"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM reservation_events WHERE to_state = 'CANCELLED' AND request_id = @requestId", new { requestId }), Is.EqualTo(1), "one transition");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @requestId", new { requestId }), Is.EqualTo(1), "one outbox row");
        await Eventually.TrueAsync(() => Task.FromResult(_google.Received.Any(r => r.Notification?.CancelFundsReservationRequestId == requestId)), "delivered");
        await Task.Delay(500);
        Assert.That(_google.Received.Count(r => r.Notification?.CancelFundsReservationRequestId == requestId), Is.EqualTo(1), "one delivered notification");
    }

    [Test]
    public async Task AThousandDistinctCancelsThroughBothInstancesAreEachNotifiedOnce()
    {
        var reservations = new string[1000];
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) => reservations[i] = await ReserveAsync(i));
        var cancelIds = reservations.Select(_ => GspMessages.NewId("cancel")).ToArray();

        var results = new GspResult[1000];
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            results[i] = await Server(i).PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelIds[i], Now(), reservations[i])));

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200), string.Join("\n", results.Select(r => r.Raw).Distinct().Take(5)));
        Assert.That(results.Select(r => r.Field("result")), Is.All.EqualTo("SUCCESS"));
        var wanted = cancelIds.ToHashSet();
        await Eventually.TrueAsync(
            () => Task.FromResult(_google.Received.Count(r => wanted.Contains(r.Notification!.CancelFundsReservationRequestId)) >= 1000),
            "1,000 notifications delivered", TimeSpan.FromSeconds(120));
        await Task.Delay(1000);
        var delivered = _google.Received.Where(r => wanted.Contains(r.Notification!.CancelFundsReservationRequestId)).ToList();
        Assert.That(delivered, Has.Count.EqualTo(1000), "each once");
        Assert.That(delivered.Select(r => r.Notification!.CancelFundsReservationRequestId), Is.EquivalentTo(cancelIds));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'"), Is.Zero);
        Assert.That(_first.HasExited || _second.HasExited, Is.False, _first.Output + _second.Output);
    }

    private ServerProcess Server(int i) => i % 2 == 0 ? _first : _second;

    private async Task<string> ReserveAsync(int i)
    {
        var requestId = GspMessages.NewId("reserve");
        var result = await Server(i).PostAsync("reserveFunds", GspMessages.Reserve(requestId, Now(), 1_000_000));
        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"), result.Raw);
        return requestId;
    }

    private Task<long> CountAsync(string sql, object? param = null) => TestDatabases.ScalarAsync<long>(_db, sql, param);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
