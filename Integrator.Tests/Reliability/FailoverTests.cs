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
/// errors it retried.
/// </summary>
[NonParallelizable]
public sealed class FailoverTests
{
    private const int Clients = 12;
    private const int ReservationsPerClient = 6;

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
        }, database);
        var ports = Enumerable.Range(0, 3).Select(_ => FakeGoogle.FreePort()).ToArray();
        var servers = new ServerProcess[3];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await ServerProcess.StartAsync(environment, ports[i]);
        }

        await using var balancer = new TcpRelay([.. ports.Select(p => ("127.0.0.1", p))]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{balancer.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        var wrong = new ConcurrentQueue<string>();
        var retried = 0;
        try
        {
            var load = Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
            {
                for (var n = 0; n < ReservationsPerClient; n++)
                {
                    var reserveId = $"fo-reserve-{client}-{n}-{Guid.NewGuid():N}";
                    await CallUntilAnsweredAsync("reserveFunds", now => GspMessages.Reserve(reserveId, now, 1_000_000, "tok-rich"));
                    await CallUntilAnsweredAsync("cancelFundsReservation", now => GspMessages.Cancel("fo-cancel-" + reserveId[11..], now, reserveId));
                }
            }));

            await Task.Delay(1500);
            servers[1].Kill();
            await Task.Delay(1500);
            await cluster.CrashServerAsync();
            await Task.Delay(1500);
            await cluster.StartServerAsync();
            servers[1] = await ServerProcess.StartAsync(environment, ports[1]);
            await load;

            await using var db = TestDatabases.Open(database);
            await Eventually.TrueAsync(
                async () => await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'") == 0,
                "every notification delivered", TimeSpan.FromSeconds(60));
            Assert.Multiple(async () =>
            {
                Assert.That(wrong, Is.Empty, "clients see retries, never a wrong answer");
                Assert.That(retried, Is.GreaterThan(0), "the faults were felt");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM reservations WHERE state = 'CANCELLED'"), Is.EqualTo(Clients * ReservationsPerClient));
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM reservations"), Is.EqualTo(Clients * ReservationsPerClient), "no reservation twice");
                Assert.That(
                    await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM (SELECT request_id FROM request_journal WHERE outcome = 'EXECUTED' GROUP BY request_id HAVING COUNT(*) > 1) twice"),
                    Is.Zero, "no request executed twice");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero, "every hold released once");
                Assert.That(await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM outbox"), Is.EqualTo(Clients * ReservationsPerClient));
                Assert.That(google.Received.Select(r => r.Notification?.CancelFundsReservationRequestId).Distinct().Count(), Is.EqualTo(Clients * ReservationsPerClient));
            });
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
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
