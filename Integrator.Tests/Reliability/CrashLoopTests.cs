using System.Text.Json.Nodes;
using Dapper;
using Integrator.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Integrator.Tests.Reliability;

/// <summary>
/// A real server process on a SQLite file is killed with SIGKILL at random moments while Google's traffic (new and
/// repeated reserves, captures and cancels) runs against it, and restarted, again and again. Then every call whose
/// answer was lost is retried with its requestId, as Google would, and what the client was told is checked against
/// the database and against what a fake Google received. <c>INTEGRATOR_CRASH_KILLS</c> sets the number of kills
/// (20 by default; e.g. 200 for a long run on demand).
/// </summary>
[NonParallelizable]
public sealed class CrashLoopTests
{
    private const int Workers = 8;

    private readonly List<Call> _calls = [];
    private readonly List<Call> _reserved = [];

    [Test]
    public async Task EveryAnswerSurvivesSigkillAndNothingHappensTwice()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_CRASH_KILLS"), out var k) ? k : 20;
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"{kills} kills, random seed {seed}");
        var random = new Random(seed);
        var folder = Directory.CreateTempSubdirectory("crash-loop-").FullName;
        await using var google = await FakeGoogle.StartAsync();
        var environment = ServerEnvironment(folder, google);

        for (var kill = 0; kill < kills; kill++)
        {
            await using var server = await ServerProcess.StartAsync(environment);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, Workers).Select(w => TrafficAsync(server, new Random(seed + (kill * Workers) + w), stop.Token)).ToList();
            await Task.Delay(random.Next(150, 900));
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        // Recovery: one more start; every call without a definite answer is retried until it has one.
        await using (var server = await ServerProcess.StartAsync(environment))
        {
            foreach (var call in _calls.Where(c => !c.Definite))
            {
                for (var attempt = 0; attempt < 20 && !call.Definite; attempt++)
                {
                    await SendAsync(server, call);
                }

                Assert.That(call.Definite, Is.True, $"{call.Kind} {call.RequestId} is stuck: {call.LastAnswer}");
            }

            await Eventually.TrueAsync(
                async () => await ScalarAsync(folder, "SELECT COUNT(*) FROM outbox WHERE status <> 'DELIVERED'") == 0,
                "every notification delivered after recovery", TimeSpan.FromSeconds(60));
            Assert.That(server.HasExited, Is.False, server.Output);
        }

        TestContext.Out.WriteLine($"{_calls.Count} calls, {_calls.Sum(c => c.Answers.Count)} answers, {_calls.Count(c => c.LostAnswers > 0)} calls with an answer lost to a kill");
        await AssertAnswersMatchTheDatabaseAsync(folder);
        AssertEachNotificationReachedGoogleUnderOneRequestId(google, await QueryAsync<string>(folder, "SELECT cancel_request_id FROM outbox"));
        Directory.Delete(folder, recursive: true);
    }

    private async Task AssertAnswersMatchTheDatabaseAsync(string folder)
    {
        var reservations = (await QueryAsync<(string ReserveId, long Amount, string State)>(folder, "SELECT reserve_request_id, amount_micros, state FROM reservations"))
            .ToDictionary(r => r.ReserveId);
        var notified = (await QueryAsync<string>(folder, "SELECT cancel_request_id FROM outbox")).ToHashSet();
        var succeeded = _calls.Where(c => c.Succeeded).ToList();
        Assert.Multiple(async () =>
        {
            foreach (var call in _calls.Where(c => c.Answers.Any(a => a.Status == 200)))
            {
                var bodies = call.Answers.Where(a => a.Status == 200).Select(a => WithoutTimestamp(a.Raw)).Distinct().ToList();
                Assert.That(bodies, Has.Count.EqualTo(1), $"{call.Kind} {call.RequestId}: every 200 is the same answer");
            }

            foreach (var call in succeeded)
            {
                var found = reservations.TryGetValue(call.ReserveId, out var reservation);
                Assert.That(found, Is.True, $"{call.Kind} {call.RequestId} was answered SUCCESS but its reservation is missing");
                switch (call.Kind)
                {
                    case "reserveFunds":
                        Assert.That(reservation.Amount, Is.EqualTo(call.Amount), call.RequestId);
                        break;
                    case "cancelFundsReservation":
                        Assert.That(reservation.State, Is.EqualTo("CANCELLED"), call.RequestId);
                        Assert.That(notified, Does.Contain(call.RequestId), $"cancel {call.RequestId} has its outbox row");
                        break;
                    case "captureFundsReservation":
                        Assert.That(reservation.State, Is.EqualTo("CAPTURED"), call.RequestId);
                        break;
                }
            }

            Assert.That(reservations.Keys, Is.EquivalentTo(succeeded.Where(c => c.Kind == "reserveFunds").Select(c => c.RequestId)), "no reservation the client was not told of");
            Assert.That(notified, Is.EquivalentTo(succeeded.Where(c => c.Kind == "cancelFundsReservation").Select(c => c.RequestId)), "one outbox row per successful cancel");
            Assert.That(
                await QueryAsync<string>(folder, "SELECT reservation_id FROM reservation_events WHERE to_state <> 'RESERVED' GROUP BY reservation_id HAVING COUNT(*) > 1"),
                Is.Empty, "no reservation left RESERVED twice");
            Assert.That(
                await QueryAsync<string>(folder, """
                    SELECT a.account_id FROM accounts a
                    WHERE a.held_micros <> (SELECT COALESCE(SUM(r.amount_micros), 0) FROM reservations r WHERE r.account_id = a.account_id AND r.state = 'RESERVED')
                       OR a.captured_micros <> (SELECT COALESCE(SUM(r.captured_amount_micros), 0) FROM reservations r WHERE r.account_id = a.account_id AND r.state = 'CAPTURED')
                    """),
                Is.Empty, "every balance equals its holds and captures");
        });
    }

    private static void AssertEachNotificationReachedGoogleUnderOneRequestId(FakeGoogle google, IReadOnlyList<string> cancelIds)
    {
        var received = google.Received.Where(r => r.Notification is not null).GroupBy(r => r.Notification!.CancelFundsReservationRequestId).ToDictionary(g => g.Key);
        Assert.Multiple(() =>
        {
            Assert.That(received.Keys, Is.EquivalentTo(cancelIds), "Google heard of exactly the successful cancels");
            foreach (var (cancelId, sends) in received)
            {
                Assert.That(sends.Select(s => s.RequestId).Distinct().Count(), Is.EqualTo(1), $"cancel {cancelId}: a resend after a kill reuses the notification's requestId");
            }
        });
        // A kill between Google's 200 and our DELIVERED mark means one resend under the same requestId, which Google
        // deduplicates; without kills there are none (NotificationDeliveryTests, MultiInstanceTests).
        TestContext.Out.WriteLine($"{cancelIds.Count} notifications, {received.Sum(r => r.Value.Count()) - received.Count} resent after a kill");
    }

    private async Task TrafficAsync(ServerProcess server, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var call = NextCall(random);
            if (call is not null)
            {
                await SendAsync(server, call);
            }
        }
    }

    /// <summary>New reserves, cancels and captures of reserved funds, and repeats of earlier calls (Google's retries).</summary>
    private Call? NextCall(Random random)
    {
        lock (_calls)
        {
            var roll = random.Next(100);
            var reserved = _reserved.Count > 0 ? _reserved[random.Next(_reserved.Count)] : null;
            Call? call = roll switch
            {
                < 40 => new Call("reserveFunds", GspMessages.NewId("reserve"), string.Empty, random.Next(1, 50) * 100_000L),
                < 65 when reserved is not null => new Call("cancelFundsReservation", GspMessages.NewId("cancel"), reserved.RequestId, 0),
                < 75 when reserved is not null => new Call("captureFundsReservation", GspMessages.NewId("capture"), reserved.RequestId, reserved.Amount),
                _ when _calls.Count > 0 => _calls[random.Next(_calls.Count)],
                _ => null,
            };
            if (call is not null && call.Answers.Count == 0 && !_calls.Contains(call))
            {
                _calls.Add(call);
            }

            return call;
        }
    }

    private async Task SendAsync(ServerProcess server, Call call)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = call.Kind switch
        {
            "reserveFunds" => GspMessages.Reserve(call.RequestId, now, call.Amount),
            "cancelFundsReservation" => GspMessages.Cancel(call.RequestId, now, call.ReserveId),
            _ => GspMessages.Capture(call.RequestId, now, call.ReserveId, call.Amount),
        };
        try
        {
            var answer = await server.PostAsync(call.Kind, body);
            lock (_calls)
            {
                call.Answers.Add(answer);
                if (call.Kind == "reserveFunds" && call.Succeeded && !_reserved.Contains(call))
                {
                    _reserved.Add(call);
                }
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

    private static Dictionary<string, string?> ServerEnvironment(string folder, FakeGoogle google) =>
        ServerProcess.Environment(folder, new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = google.BaseUrl.ToString(),
            ["Notifications__PollInterval"] = "00:00:00.100",
            // Rows leased by a killed process are taken over quickly.
            ["Notifications__Lease"] = "00:00:02",
            ["Notifications__HttpTimeout"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        });

    private static string WithoutTimestamp(string raw)
    {
        var json = JsonNode.Parse(raw)!.AsObject();
        json["responseHeader"]!.AsObject().Remove("responseTimestamp");
        return json.ToJsonString();
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(string folder, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "integrator.db")};Pooling=False");
        return [.. await connection.QueryAsync<T>(sql)];
    }

    private static async Task<long> ScalarAsync(string folder, string sql) => (await QueryAsync<long>(folder, sql))[0];

    /// <summary>One Google call and every answer it got; a lost answer (the server died) leaves it without one.</summary>
    private sealed class Call(string kind, string requestId, string reserveId, long amount)
    {
        public string Kind { get; } = kind;

        public string RequestId { get; } = requestId;

        /// <summary>The reservation: the call's own requestId for a reserve, the reserve's for a cancel or capture.</summary>
        public string ReserveId { get; } = kind == "reserveFunds" ? requestId : reserveId;

        public long Amount { get; } = amount;

        public List<GspResult> Answers { get; } = [];

        public int LostAnswers { get; set; }

        /// <summary>A 200, or a refusal that a retry would repeat (not 409 "in progress", not 503 "unavailable").</summary>
        public bool Definite => Answers.Any(a => a.Status is not (409 or 503));

        public bool Succeeded => Answers.Any(a => a.Status == 200 && a.Field("result") == "SUCCESS");

        public string LastAnswer => Answers.LastOrDefault()?.Raw ?? "no answer";
    }
}
