using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Storage;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.HighAvailability;

/// <summary>
/// Jepsen-style, on a real Patroni cluster (<see cref="PatroniCluster"/>): two server processes — one on the multi-host
/// connection string, one through HAProxy — serve clients that run a bounded mix of reserve, capture, cancel, refund and
/// replays, retrying with their requestIds as Google does, while faults are injected in turn. Every call is recorded as
/// ok, fail or unknown; afterwards, on the new primary, <see cref="HistoryChecker"/> judges the history (README "High
/// availability"). CI runs the short form, one failover: commits whose wait for the standby is cancelled, then the
/// leader's node killed before the standby has them. The long form cycles through every fault for <c>INTEGRATOR_HA_MINUTES</c> minutes in an order
/// drawn from <c>INTEGRATOR_HA_SEED</c>.
/// </summary>
[NonParallelizable]
public sealed class PatroniFaultTests
{
    private const int Clients = 6;

    /// <summary>Bounds a client's work should the faults never end (the test then fails on its waits).</summary>
    private const int MaxReservationsPerClient = 5_000;

    private static readonly TimeSpan FaultWait = TimeSpan.FromSeconds(120);

    private enum Fault
    {
        KillLeaderPostgres,
        KillLeaderNode,
        FreezeLeader,
        CancelSyncWaiters,
        SyncStandbyDown,
        KillInstance,
    }

    [Test]
    public async Task FaultsLoseNoAcknowledgedAnswerAndApplyNothingTwice()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_HA_SEED"), out var s) ? s : Random.Shared.Next(1_000_000);
        var minutes = double.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_HA_MINUTES"), System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 0;
        TestContext.Out.WriteLine($"seed {seed}, {(minutes > 0 ? $"{minutes} minutes of faults" : "short form")}");

        if (PatroniCluster.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        await using var cluster = await PatroniCluster.StartAsync();
        await cluster.StartHaproxyAsync();
        var folder = Directory.CreateTempSubdirectory("ha-").FullName;
        await using var google = await FakeGoogle.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = google.BaseUrl.ToString(),
            ["Notifications__PollInterval"] = "00:00:00.200",
            ["Notifications__FirstRetryDelay"] = "00:00:00.500",
            ["Notifications__MaxRetryDelay"] = "00:00:02",
            ["Storage__LockTimeout"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var environments = new[]
        {
            ServerProcess.Environment(folder, settings, new TestDatabase(StorageProvider.Postgres, cluster.ConnectionString, () => Task.CompletedTask)),
            ServerProcess.Environment(folder, settings, new TestDatabase(StorageProvider.Postgres, cluster.HaproxyConnectionString, () => Task.CompletedTask)),
        };
        var ports = environments.Select(_ => FakeGoogle.FreePort()).ToArray();
        var servers = new ServerProcess[environments.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await ServerProcess.StartAsync(environments[i], ports[i]);
        }

        var clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(15) }).ToArray();
        var history = new ConcurrentQueue<HistoryOperation>();
        var requests = new ConcurrentDictionary<string, (string Method, Func<long, JsonObject> Body)>();
        var operationIds = 0;
        var completed = 0;
        var faults = new List<string>();
        var waitersCancelled = 0;
        using var stop = new CancellationTokenSource();
        try
        {
            var load = Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(c))));
            await ProgressAsync("load before the faults");

            var schedule = minutes > 0 ? Enum.GetValues<Fault>().ToArray() : [Fault.CancelSyncWaiters];
            if (minutes > 0)
            {
                new Random(seed).Shuffle(schedule);
            }

            var until = Stopwatch.StartNew();
            for (var i = 0; i < schedule.Length || until.Elapsed < TimeSpan.FromMinutes(minutes); i++)
            {
                var fault = schedule[i % schedule.Length];
                var started = Stopwatch.StartNew();
                await InjectAsync(fault);
                faults.Add($"{fault} ({started.Elapsed.TotalSeconds:0}s)");
            }

            await stop.CancelAsync();
            await load;
            await cluster.WaitHealthyAsync(FaultWait);

            var ops = history.ToList();
            await using var db = TestDatabases.Open(new TestDatabase(StorageProvider.Postgres, cluster.ConnectionString, () => Task.CompletedTask));
            await Eventually.TrueAsync(
                async () => await TestDatabases.ScalarAsync<long>(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'") == 0,
                "every notification delivered", FaultWait);
            var replays = new Dictionary<string, string>();
            foreach (var requestId in ops.Where(o => o.Outcome == OperationOutcome.Ok).Select(o => o.RequestId).Distinct())
            {
                var (method, body) = requests[requestId];
                if (await AnswerAsync(clients[0], method, body) is { } answer)
                {
                    replays[requestId] = answer;
                }
            }

            var notifications = google.Received.Where(r => r.Notification is not null)
                .Select(r => (r.Notification!.CancelFundsReservationRequestId, r.RequestId)).ToList();
            var anomalies = HistoryChecker.Check(ops, await DatabaseState.ReadAsync(cluster.ConnectionString), notifications, replays);

            var counts = ops.GroupBy(o => o.Outcome).ToDictionary(g => g.Key, g => g.Count());
            TestContext.Out.WriteLine(
                $"seed {seed}: {ops.Count} operations ({counts.GetValueOrDefault(OperationOutcome.Ok)} ok, {counts.GetValueOrDefault(OperationOutcome.Fail)} fail, "
                + $"{counts.GetValueOrDefault(OperationOutcome.Unknown)} unknown), {replays.Count} replays, {notifications.Count} notifications received, "
                + $"{waitersCancelled} commits' standby waits cancelled; faults: {string.Join(", ", faults)}");
            foreach (var anomaly in anomalies)
            {
                TestContext.Out.WriteLine(anomaly);
            }

            if (anomalies.Count > 0)
            {
                var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"ha-history-{seed}.jsonl");
                await File.WriteAllLinesAsync(file, ops.OrderBy(o => o.Id).Select(o => System.Text.Json.JsonSerializer.Serialize(o)));
                TestContext.Out.WriteLine($"history: {file}");
                for (var i = 0; i < servers.Length; i++)
                {
                    await File.WriteAllTextAsync(Path.ChangeExtension(file, $".server{i}.log"), servers[i].Output);
                }
            }

            Assert.Multiple(() =>
            {
                Assert.That(anomalies, Is.Empty, "the checker's findings");
                Assert.That(counts.GetValueOrDefault(OperationOutcome.Unknown), Is.GreaterThan(0), "the faults were felt");
                Assert.That(waitersCancelled, Is.GreaterThan(0), "commits waiting for the standby were cancelled");
                Assert.That(ops.Where(o => o.Status == 500).Select(o => $"{o.Method} {o.RequestId}: {o.Body}"), Is.Empty, "a database fault is a 503, never a 500");
            });
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }

        async Task ClientAsync(int c)
        {
            var random = new Random(seed + c);
            var http = clients[c % clients.Length];
            for (var n = 0; n < MaxReservationsPerClient && !stop.IsCancellationRequested; n++)
            {
                var reserveId = $"ha-{seed}-{c}-{n}";
                var amount = random.Next(1, 50) * 100_000L;
                var reserve = await CallAsync(http, $"c{c}", "reserveFunds", reserveId, reserveId, null, amount, now => GspMessages.Reserve(reserveId, now, amount, "tok-rich"));
                if (reserve.Succeeded && random.Next(2) == 0)
                {
                    var cancelId = reserveId + "-cancel";
                    await CallAsync(http, $"c{c}", "cancelFundsReservation", cancelId, reserveId, null, 0, now => GspMessages.Cancel(cancelId, now, reserveId));
                }
                else if (reserve.Succeeded)
                {
                    var captureId = reserveId + "-capture";
                    var capture = await CallAsync(http, $"c{c}", "captureFundsReservation", captureId, reserveId, null, amount, now => GspMessages.Capture(captureId, now, reserveId, amount));
                    if (capture.Succeeded && random.Next(2) == 0)
                    {
                        var refundId = reserveId + "-refund";
                        var refund = amount / random.Next(1, 4);
                        await CallAsync(http, $"c{c}", "refund", refundId, reserveId, captureId, refund, now => GspMessages.Refund(refundId, now, captureId, refund));
                    }
                }

                Interlocked.Increment(ref completed);
            }
        }

        // Google's retry: the same requestId until an answer that is not a transient error, every attempt recorded; an
        // answered call is sometimes replayed at once (a retry whose first answer was lost on the way).
        async Task<HistoryOperation> CallAsync(
            HttpClient http, string client, string method, string requestId, string reserveId, string? captureId, long amount, Func<long, JsonObject> body)
        {
            requests[requestId] = (method, body);
            HistoryOperation op = null!;
            for (var attempt = 1; attempt <= 120; attempt++)
            {
                var invoked = DateTimeOffset.UtcNow;
                var (outcome, status, answer) = await SendAsync(http, method, body);
                op = new HistoryOperation(
                    Interlocked.Increment(ref operationIds), client, method, requestId, reserveId, captureId, amount, invoked, DateTimeOffset.UtcNow, outcome, status, answer);
                history.Enqueue(op);
                if (outcome != OperationOutcome.Unknown)
                {
                    if (outcome == OperationOutcome.Ok && Random.Shared.Next(5) == 0)
                    {
                        var (again, againStatus, againAnswer) = await SendAsync(http, method, body);
                        history.Enqueue(op with { Id = Interlocked.Increment(ref operationIds), Outcome = again, Status = againStatus, Body = againAnswer });
                    }

                    return op;
                }

                await Task.Delay(250);
            }

            return op;
        }

        async Task InjectAsync(Fault fault)
        {
            TestContext.Out.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {fault}: leader {await cluster.LeaderAsync()}, synchronous standby {await cluster.SyncStandbyAsync()}");
            switch (fault)
            {
                case Fault.KillLeaderPostgres:
                {
                    await cluster.KillPostgresAsync(await cluster.LeaderAsync());
                    await ProgressAsync("load after the leader's PostgreSQL was killed");
                    break;
                }

                case Fault.KillLeaderNode:
                {
                    var leader = await cluster.LeaderAsync();
                    await cluster.KillNodeAsync(leader);
                    await Eventually.TrueAsync(async () => (await cluster.LeaderAsync(FaultWait)).Name != leader.Name, "a new leader", FaultWait);
                    await ProgressAsync("load on the new leader");
                    cluster.RestartNode(leader);
                    break;
                }

                case Fault.FreezeLeader:
                {
                    var leader = await cluster.LeaderAsync();
                    await cluster.SignalNodeAsync(leader, "STOP");
                    try
                    {
                        // Calls on the frozen node hang until their timeouts; a few seconds on the new leader, then thawed,
                        // the old leader finds its role gone and is demoted (its commits in flight never acknowledged).
                        await Eventually.TrueAsync(async () => (await cluster.LeaderAsync(FaultWait)).Name != leader.Name, "a new leader", FaultWait);
                        await Task.Delay(TimeSpan.FromSeconds(5));
                    }
                    finally
                    {
                        await cluster.SignalNodeAsync(leader, "CONT");
                    }

                    break;
                }

                case Fault.CancelSyncWaiters:
                {
                    // The synchronous standby frozen, commits wait for it; cancelling those waits leaves them committed
                    // on the leader only. The leader's node then dies, the standby's PostgreSQL too before it has read
                    // them, and the standby, restarted by its Patroni, is promoted without them: whatever was answered
                    // from those commits is lost.
                    var standby = await cluster.SyncStandbyAsync() ?? throw new InvalidOperationException("no synchronous standby");
                    var leader = await cluster.LeaderAsync();
                    await cluster.SignalNodeAsync(standby, "STOP");
                    try
                    {
                        for (var i = 0; i < 20; i++)
                        {
                            await Task.Delay(250);
                            Interlocked.Add(ref waitersCancelled, await cluster.CancelSyncWaitersAsync(leader));
                        }

                        await cluster.KillNodeAsync(leader);
                        await cluster.KillPostgresAsync(standby);
                    }
                    finally
                    {
                        await cluster.SignalNodeAsync(standby, "CONT");
                    }

                    await Eventually.TrueAsync(async () => (await cluster.LeaderAsync(FaultWait)).Name != leader.Name, "a new leader", FaultWait);
                    await ProgressAsync("load on the promoted standby");
                    cluster.RestartNode(leader);
                    break;
                }

                case Fault.SyncStandbyDown:
                {
                    var standby = await cluster.SyncStandbyAsync() ?? throw new InvalidOperationException("no synchronous standby");
                    await cluster.KillNodeAsync(standby);
                    await ProgressAsync("load with the synchronous standby down");
                    cluster.RestartNode(standby);
                    break;
                }

                case Fault.KillInstance:
                {
                    var i = faults.Count % servers.Length;
                    servers[i].Kill();
                    await ProgressAsync("load with one instance down");
                    await servers[i].DisposeAsync();
                    servers[i] = await ServerProcess.StartAsync(environments[i], ports[i]);
                    break;
                }
            }

            await cluster.WaitHealthyAsync(FaultWait);
            TestContext.Out.WriteLine($"{DateTime.UtcNow:HH:mm:ss} healed: leader {await cluster.LeaderAsync()}, synchronous standby {await cluster.SyncStandbyAsync()}");
            await ProgressAsync($"load after {fault}");
        }

        // Waits until every client has completed at least one more reservation's life, on average, since the last step.
        async Task ProgressAsync(string what)
        {
            var from = Volatile.Read(ref completed);
            await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref completed) >= from + Clients), what, FaultWait);
        }
    }

    private static async Task<(OperationOutcome Outcome, int? Status, string? Body)> SendAsync(HttpClient http, string method, Func<long, JsonObject> body)
    {
        try
        {
            using var response = await http.PostAsJsonAsync($"/redirect-payment-token-v1/{method}", body(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            return status switch
            {
                200 => (OperationOutcome.Ok, status, text),
                409 or >= 500 => (OperationOutcome.Unknown, status, text),
                _ => (OperationOutcome.Fail, status, text),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (OperationOutcome.Unknown, null, null);
        }
    }

    /// <summary>The 200 body a replay gets now, trying for a while (the cluster has just healed).</summary>
    private static async Task<string?> AnswerAsync(HttpClient http, string method, Func<long, JsonObject> body)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var (outcome, _, answer) = await SendAsync(http, method, body);
            if (outcome == OperationOutcome.Ok)
            {
                return answer;
            }

            await Task.Delay(250);
        }

        return null;
    }
}
