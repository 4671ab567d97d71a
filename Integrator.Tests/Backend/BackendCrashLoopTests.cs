using System.Text.Json.Nodes;
using Dapper;
using Integrator.Core.Backend.StandIn;
using Integrator.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Integrator.Tests.Backend;

/// <summary>
/// A real server process with a remote back end (the Http contract's core, or Mollie: each a stand-in over real HTTP) is
/// killed with SIGKILL at random moments while Google's traffic (new and repeated reserves, captures, cancels and
/// refunds) runs against it and the back end plays random faults: answers lost after the effect, slow answers, releases
/// confirmed later by event or webhook, short outages. After the last restart every call without a definite answer is
/// retried with its requestId, as Google would. Then, counted at the back end: every operation had exactly one effect,
/// and nothing had an effect Google was not told of; and at Google: every cancel exactly one notification. <c>INTEGRATOR_BACKEND_KILLS</c> sets the number of kills (12 by
/// default; e.g. 200 for a long run on demand).
/// </summary>
[NonParallelizable]
public sealed class BackendCrashLoopTests
{
    private const int Workers = 6;

    private readonly List<Call> _calls = [];

    [TestCase("Http")]
    [TestCase("Mollie")]
    public async Task EveryMovementHasExactlyOneEffectAtTheBackEndThroughSigkills(string provider)
    {
        _calls.Clear(); // one fixture instance runs every case
        var kills = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_BACKEND_KILLS"), out var k) ? k : 12;
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"{provider}: {kills} kills, random seed {seed}");
        var random = new Random(seed);
        var folder = Directory.CreateTempSubdirectory("backend-crash-loop-").FullName;
        await using var google = await FakeGoogle.StartAsync();
        await using var core = await FakeCore.StartAsync();
        await using var mollie = await FakeMollie.StartAsync();
        var port = FakeGoogle.FreePort();
        using var callBack = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        core.EventsTo = (() => callBack, "/backend/v1/events");
        mollie.WebhooksTo = () => callBack;
        var backEnd = provider == "Mollie"
            ? new BackEnd(mollie.Settings(TimeSpan.FromSeconds(1)), mollie.Mollie.Faults, () => mollie.Mollie.Effects, hold => mollie.Mollie.PaymentOf(hold))
            : new BackEnd(core.Settings(TimeSpan.FromSeconds(1)), core.Core.Faults, () => core.Core.Effects, hold => hold);
        var environment = ServerEnvironment(folder, google, backEnd.Settings);

        for (var kill = 0; kill < kills; kill++)
        {
            ArmRandomFault(backEnd.Faults, random);
            await using var server = await ServerProcess.StartAsync(environment, port);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, Workers).Select(w => TrafficAsync(server, new Random(seed + (kill * Workers) + w), stop.Token)).ToList();
            await Task.Delay(random.Next(300, 1500));
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        backEnd.Faults.Clear();
        await using (var last = await ServerProcess.StartAsync(environment, port))
        {
            foreach (var call in _calls.Where(c => !c.Definite))
            {
                for (var attempt = 0; attempt < 40 && !call.Definite; attempt++)
                {
                    await SendAsync(last, call);
                    if (!call.Definite)
                    {
                        await Task.Delay(250);
                    }
                }

                Assert.That(call.Definite, Is.True, $"{call.Kind} {call.RequestId} is stuck: {call.LastAnswer}");
            }

            await Eventually.TrueAsync(
                async () => await ScalarAsync(folder, "SELECT COUNT(*) FROM backend_commands WHERE state IN ('PENDING', 'AWAITING')") == 0,
                "every back-end command resolved", TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(
                async () => await ScalarAsync(folder, "SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'") == 0,
                "every notification delivered", TimeSpan.FromSeconds(60));
            Assert.That(last.HasExited, Is.False, last.Output);
        }

        TestContext.Out.WriteLine(
            $"{_calls.Count} calls, {_calls.Sum(c => c.Answers.Count)} answers, {_calls.Count(c => c.LostAnswers > 0)} with an answer lost to a kill, "
            + $"{backEnd.Effects().Count} effects at the back end, {backEnd.Faults.Played} faults played by it");
        AssertExactlyOnceAtTheBackEnd(backEnd);
        AssertEachCancelNotifiedOnce(google, await QueryAsync<string>(folder, "SELECT cancel_request_id FROM outbox"));
        Assert.That(await QueryAsync<string>(folder, "SELECT command_key FROM backend_commands WHERE state NOT IN ('CONFIRMED', 'DECLINED', 'REFUSED')"), Is.Empty, "no command failed");
        Directory.Delete(folder, recursive: true);
    }

    private void AssertExactlyOnceAtTheBackEnd(BackEnd backEnd)
    {
        var effects = backEnd.Effects();
        Assert.Multiple(() =>
        {
            foreach (var kind in new[] { "HOLD", "CAPTURE", "REFUND" })
            {
                var method = kind switch { "HOLD" => "reserveFunds", "CAPTURE" => "captureFundsReservation", _ => "refund" };
                var keys = effects.Where(e => e.Kind == kind).Select(e => e.IdempotencyKey).ToList();
                Assert.That(keys, Is.Unique, $"{kind}: never two effects for one key");
                Assert.That(
                    keys,
                    Is.EquivalentTo(_calls.Where(c => c.Kind == method && c.Succeeded).Select(c => Key(c.RequestId))),
                    $"{kind}: an effect for every success Google was told of, and none other");
            }

            var releases = effects.Where(e => e.Kind == "RELEASE").Select(e => e.Id).ToList();
            Assert.That(releases, Is.Unique, "one release per hold");
            Assert.That(
                releases,
                Is.EquivalentTo(_calls.Where(c => c.Kind == "cancelFundsReservation" && c.Succeeded).Select(c => backEnd.ReleaseIdOf(Key(c.ReserveId))).Distinct()),
                "a release for every reservation Google cancelled, and none other");
        });
    }

    private void AssertEachCancelNotifiedOnce(FakeGoogle google, IReadOnlyList<string> outbox)
    {
        var received = google.Received.Where(r => r.Notification is not null).GroupBy(r => r.Notification!.CancelFundsReservationRequestId).ToDictionary(g => g.Key);
        var cancels = _calls.Where(c => c.Kind == "cancelFundsReservation" && c.Succeeded).Select(c => c.RequestId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(outbox, Is.EquivalentTo(cancels), "one notification row per successful cancel, queued on the core's confirmation");
            Assert.That(received.Keys, Is.EquivalentTo(cancels), "Google heard of exactly the successful cancels");
            foreach (var (cancelId, sends) in received)
            {
                Assert.That(sends.Select(s => s.RequestId).Distinct().Count(), Is.EqualTo(1), $"cancel {cancelId}: one notification, resent under its requestId only");
            }
        });
    }

    /// <summary>A fault for the next stretch of traffic: the back end loses answers, answers late, confirms releases later, or is down a moment.</summary>
    private static void ArmRandomFault(StandInFaults faults, Random random)
    {
        faults.Clear();
        var operation = StandInFault.Operations[random.Next(1, 5)];
        faults.Arm(random.Next(4) switch
        {
            0 => new StandInFault { Kind = StandInFault.Lose, Operation = operation, Count = 3 },
            1 => new StandInFault { Kind = StandInFault.Slow, Operation = operation, Count = 2, DelayMs = 1500 },
            2 => new StandInFault { Kind = StandInFault.Unavailable, Count = 0, Until = DateTimeOffset.UtcNow.AddMilliseconds(700) },
            _ => new StandInFault { Kind = StandInFault.Pending, Operation = "release", Count = 5, DelayMs = 300 },
        });
    }

    private async Task TrafficAsync(ServerProcess server, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (NextCall(random) is { } call)
            {
                await SendAsync(server, call);
            }
        }
    }

    /// <summary>New reserves, cancels and captures of reserved funds, refunds of captured ones, and repeats of earlier calls.</summary>
    private Call? NextCall(Random random)
    {
        lock (_calls)
        {
            var reserved = _calls.Where(c => c.Kind == "reserveFunds" && c.Succeeded).ToList();
            var captured = _calls.Where(c => c.Kind == "captureFundsReservation" && c.Succeeded).ToList();
            var roll = random.Next(100);
            Call? call = roll switch
            {
                < 35 => new Call("reserveFunds", GspMessages.NewId("reserve"), string.Empty, random.Next(1, 50) * 100_000L),
                < 55 when reserved.Count > 0 => Pick(reserved) is var r ? new Call("cancelFundsReservation", GspMessages.NewId("cancel"), r.RequestId, 0) : null,
                < 70 when reserved.Count > 0 => Pick(reserved) is var r ? new Call("captureFundsReservation", GspMessages.NewId("capture"), r.RequestId, r.Amount) : null,
                < 80 when captured.Count > 0 => Pick(captured) is var c ? new Call("refund", GspMessages.NewId("refund"), c.ReserveId, c.Amount / 4) { CaptureId = c.RequestId } : null,
                _ when _calls.Count > 0 => _calls[random.Next(_calls.Count)],
                _ => null,
            };
            if (call is not null && !_calls.Contains(call))
            {
                _calls.Add(call);
            }

            return call;

            Call Pick(List<Call> from) => from[random.Next(from.Count)];
        }
    }

    private async Task SendAsync(ServerProcess server, Call call)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        JsonNode body = call.Kind switch
        {
            "reserveFunds" => GspMessages.Reserve(call.RequestId, now, call.Amount),
            "cancelFundsReservation" => GspMessages.Cancel(call.RequestId, now, call.ReserveId),
            "captureFundsReservation" => GspMessages.Capture(call.RequestId, now, call.ReserveId, call.Amount),
            _ => GspMessages.Refund(call.RequestId, now, call.CaptureId!, call.Amount),
        };
        try
        {
            var answer = await server.PostAsync(call.Kind, body);
            lock (_calls)
            {
                call.Answers.Add(answer);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            lock (_calls)
            {
                call.LostAnswers++;
            }
        }
    }

    private static string Key(string requestId) => $"{GspMessages.AccountId}:{requestId}";

    private static Dictionary<string, string?> ServerEnvironment(string folder, FakeGoogle google, Dictionary<string, string?> backEnd)
    {
        var settings = backEnd.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        settings["Backend__Lease"] = "00:00:02";
        settings["Google__BaseUrl"] = google.BaseUrl.ToString();
        settings["Notifications__PollInterval"] = "00:00:00.100";
        settings["Notifications__Lease"] = "00:00:02";
        settings["Notifications__HttpTimeout"] = "00:00:01";
        settings["Logging__LogLevel__Default"] = "Warning";
        return ServerProcess.Environment(folder, settings);
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(string folder, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "integrator.db")};Pooling=False");
        return [.. await connection.QueryAsync<T>(sql)];
    }

    private static async Task<long> ScalarAsync(string folder, string sql) => (await QueryAsync<long>(folder, sql))[0];

    /// <summary>The back end under test: its settings, faults, effects, and the id a release effect names (the hold, or Mollie's payment).</summary>
    private sealed record BackEnd(
        Dictionary<string, string?> Settings, StandInFaults Faults, Func<IReadOnlyList<StandInEffect>> Effects, Func<string, string?> ReleaseIdOf);

    /// <summary>One Google call and every answer it got; a lost answer (the server died) leaves it without one.</summary>
    private sealed class Call(string kind, string requestId, string reserveId, long amount)
    {
        public string Kind { get; } = kind;

        public string RequestId { get; } = requestId;

        /// <summary>The reservation: the call's own requestId for a reserve, the reserve's for the others.</summary>
        public string ReserveId { get; } = kind == "reserveFunds" ? requestId : reserveId;

        /// <summary>A refund's captureRequestId.</summary>
        public string? CaptureId { get; init; }

        public long Amount { get; } = amount;

        public List<GspResult> Answers { get; } = [];

        public int LostAnswers { get; set; }

        /// <summary>A 200, or a refusal a retry would repeat (not 503: unknown yet, or in progress).</summary>
        public bool Definite => Answers.Any(a => a.Status is not (409 or 503 or 500));

        public bool Succeeded => Answers.Any(a => a.Status == 200 && a.Field("result") == "SUCCESS");

        public string LastAnswer => Answers.LastOrDefault()?.Raw ?? "no answer";
    }
}
