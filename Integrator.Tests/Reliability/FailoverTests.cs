using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Storage;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Reliability;

/// <summary>
/// Three server processes on one PostgreSQL database behind a round-robin TCP balancer on 127.0.0.1, under load from
/// clients that retry with their requestIds as Google does. One instance is SIGKILLed and later restarted, and the
/// PostgreSQL server itself (a cluster of the test's own) crashes once and is restarted. Afterwards every 200 is in the
/// database, nothing happened twice, every notification was delivered, and no client ever got a wrong answer — only
/// errors it retried. The load runs until every fault is over and the restarted parts have served: each step waits for
/// completed operations, never for time, so a slow machine cannot finish the work before the faults arrive.
/// </summary>
[NonParallelizable]
public sealed class FailoverTests
{
    private const int Clients = 12;

    /// <summary>A bound on each client's work, should the faults never end (the test then fails on its waits).</summary>
    private const int MaxPairsPerClient = 500;

    [Test]
    public async Task KillingAnInstanceAndRestartingTheDatabaseCostRetriesNeverWrongAnswers()
    {
        StorageTarget.All.Single(t => t.Provider == StorageProvider.Postgres).IgnoreIfUnconfigured();
        var folder = Directory.CreateTempSubdirectory("failover-").FullName;
        await using var cluster = await PostgresCluster.StartAsync();
        var database = await new StorageTarget(StorageProvider.Postgres, cluster.ConnectionString).CreateDatabaseAsync(folder);
        await using var google = await FakeGoogle.StartAsync();
        var environment = ServerProcess.Environment(folder, new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = google.BaseUrl.ToString(),
            ["Notifications__PollInterval"] = "00:00:00.100",
            ["Notifications__FirstRetryDelay"] = "00:00:00.200",
            ["Notifications__MaxRetryDelay"] = "00:00:01",
            ["Storage__LockTimeout"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Integrator.Core.Pipeline.GspGateway"] = "Information", // the access log: who served what
        }, database);
        var ports = Enumerable.Range(0, 3).Select(_ => FakeGoogle.FreePort()).ToArray();
        var servers = new ServerProcess[3];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await ServerProcess.StartAsync(environment, ports[i]);
        }

        await using var balancer = new TcpRelay([.. ports.Select(p => ("127.0.0.1", p))]);
        // Connections are renewed every second, as Google's would be over time, so the balancer spreads them again over
        // an instance that comes back.
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{balancer.Port}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        var wrong = new ConcurrentQueue<string>();
        var retried = 0;
        var completed = 0;
        using var stop = new CancellationTokenSource();
        try
        {
            var load = Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
            {
                for (var n = 0; n < MaxPairsPerClient && !stop.IsCancellationRequested; n++)
                {
                    var reserveId = $"fo-reserve-{client}-{n}-{Guid.NewGuid():N}";
                    await CallUntilAnsweredAsync("reserveFunds", now => GspMessages.Reserve(reserveId, now, 1_000_000, "tok-rich"));
                    await CallUntilAnsweredAsync("cancelFundsReservation", now => GspMessages.Cancel("fo-cancel-" + reserveId[11..], now, reserveId));
                    Interlocked.Increment(ref completed);
                }
            }));

            await ProgressAsync("load before the faults");
            servers[1].Kill();
            await ProgressAsync("load on two instances");
            await cluster.CrashServerAsync();
            await cluster.StartServerAsync();
            servers[1] = await ServerProcess.StartAsync(environment, ports[1]);
            var served = servers[1].Output.Length;
            await ProgressAsync("load after the database came back");
            await Eventually.TrueAsync(
                () => Task.FromResult(servers[1].Output[served..].Contains("cancelFundsReservation", StringComparison.Ordinal)),
                "the restarted instance serves", TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await load;
            var pairs = Volatile.Read(ref completed);

            await using var db = TestDatabases.Open(database);
            await Eventually.TrueAsync(
                async () => await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'") == 0,
                "every notification delivered", TimeSpan.FromSeconds(60));
            Assert.Multiple(async () =>
            {
                Assert.That(wrong, Is.Empty, "clients see retries, never a wrong answer");
                Assert.That(retried, Is.GreaterThan(0), "the faults were felt");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM reservations WHERE state = 'CANCELLED'"), Is.EqualTo(pairs));
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM reservations"), Is.EqualTo(pairs), "no reservation twice");
                Assert.That(
                    await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM (SELECT request_id FROM request_journal WHERE outcome = 'EXECUTED' GROUP BY request_id HAVING COUNT(*) > 1) twice"),
                    Is.Zero, "no request executed twice");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero, "every hold released once");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM outbox"), Is.EqualTo(pairs));
                Assert.That(google.Received.Select(r => r.Notification?.CancelFundsReservationRequestId).Distinct().Count(), Is.EqualTo(pairs));
            });
            TestContext.Out.WriteLine($"{pairs} reserve+cancel pairs, {retried} retries");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }

        // Waits until the clients have completed a few more pairs since the last step.
        async Task ProgressAsync(string what)
        {
            var from = Volatile.Read(ref completed);
            await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref completed) >= from + Clients), what, TimeSpan.FromSeconds(90));
        }

        // Google's retry: the same requestId (a fresh timestamp) until an answer that is not a transient error.
        async Task CallUntilAnsweredAsync(string method, Func<long, JsonObject> body)
        {
            for (var attempt = 1; attempt <= 200; attempt++)
            {
                try
                {
                    using var response = await http.PostAsJsonAsync($"/redirect-payment-token-v1/{method}", body(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                    var status = (int)response.StatusCode;
                    if (status is >= 500 or 409)
                    {
                        Interlocked.Increment(ref retried);
                        await Task.Delay(100);
                        continue;
                    }

                    var json = JsonNode.Parse(await response.Content.ReadAsStringAsync());
                    if (status != 200 || json?["result"]?.GetValue<string>() != "SUCCESS")
                    {
                        wrong.Enqueue($"{method}: {status} {json?.ToJsonString()}");
                    }

                    return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref retried);
                    await Task.Delay(100);
                }
            }

            wrong.Enqueue($"{method}: no answer after 200 attempts");
        }
    }
}
