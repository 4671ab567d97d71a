using System.Diagnostics;
using System.Globalization;
using Integrator.Core.Security;
using Integrator.Core.Security.Pgp;

namespace Integrator.Bench;

/// <summary>
/// The whole benchmark: the machine's ceilings, then each scenario in plaintext and in PGP against a real server
/// process, then replay cost against history; prints one report with every figure's ratio to its ceiling.
/// </summary>
internal sealed class BenchRun(string keys, string work, bool quick)
{
    private const string AccountId = "InvisiCashUSA_USD";
    private const int Rounds = 3;

    private static readonly string Seed = """
        { "accounts": [ { "accountId": "acct-bench", "currencyCode": "USD", "balanceMicros": "9000000000000000", "status": "ACTIVE" } ],
          "paymentTokens": [ { "googlePaymentToken": "tok-bench", "accountId": "acct-bench" } ] }
        """;

    private readonly Report _report = new();

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        _report.Header();

        var crypto = Ceilings.RsaPrivateOpsPerSecond(5) / 2;
        var storage = Ceilings.SqliteTransactions(work, quick ? 1000 : 3000, Rounds);
        var http = await HttpCeilingAsync();
        _report.Ceilings(http, crypto, storage);

        var plaintext = await ModeAsync(MessageSecurityMode.None, quick ? 1500 : 4000);
        var pgp = await ModeAsync(MessageSecurityMode.Pgp, quick ? 300 : 1000);
        _report.Scenarios(plaintext, pgp, http, crypto, storage.PerSecond);

        var small = await HistoryAsync(10_000);
        var large = await HistoryAsync(quick ? 100_000 : 1_000_000);
        _report.History(small, large);

        _report.Targets(plaintext, pgp, http, crypto, storage.PerSecond, small, large);
        Console.WriteLine($"\nTotal time: {total.Elapsed.TotalSeconds:N0} s.");
        return 0;
    }

    private async Task<Measured> HttpCeilingAsync()
    {
        await using var server = await BenchServer.StartCeilingAsync();
        using var load = new LoadGenerator(server, "application/json");
        var workload = new Workload(new PlaintextCodec(), AccountId);
        await load.ClosedLoopAsync(CeilingServer.Path, workload.Echoes(Workload.NewIds("warm", 3000)), sampleEvery: int.MaxValue);
        var bodies = workload.Echoes(Workload.NewIds("ceiling", quick ? 6000 : 18000));
        return await RoundsAsync(load, CeilingServer.Path, bodies, null);
    }

    private async Task<ModeResults> ModeAsync(MessageSecurityMode mode, int perRound)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, mode.ToString())).FullName;
        var seed = Path.Combine(folder, "seed.json");
        await File.WriteAllTextAsync(seed, Seed);
        var environment = new Dictionary<string, string>
        {
            ["Storage__ConnectionString"] = $"Data Source={Path.Combine(folder, "integrator.db")}",
            ["Ledger__SeedFile"] = seed,
            ["Gsp__PaymentIntegratorAccountIds__0"] = AccountId,
            ["Notifications__Enabled"] = "false",
            ["MessageSecurity__Mode"] = mode.ToString(),
        };
        IMessageCodec client = new PlaintextCodec();
        if (mode == MessageSecurityMode.Pgp)
        {
            environment["MessageSecurity__Pgp__PrivateKeyFiles__0"] = Path.Combine(keys, "integrator-1.sec.asc");
            environment["MessageSecurity__Pgp__Passphrase"] = "test-passphrase";
            environment["MessageSecurity__Pgp__GooglePublicKeyFiles__0"] = Path.Combine(keys, "google-1.pub.asc");
            var google = PgpKeyring.Load([Path.Combine(keys, "google-1.sec.asc")], "test-passphrase", [Path.Combine(keys, "integrator-1.pub.asc")]);
            client = new PgpCodec(new PgpOpener(google, TimeProvider.System), new PgpSealer(google, TimeProvider.System));
        }

        await using var server = await BenchServer.StartIntegratorAsync(environment);
        using var load = new LoadGenerator(server, client.ContentType);
        var workload = new Workload(client, AccountId);
        await WarmUpAsync(load, workload);

        // (a) first cancels of distinct reservations, made before the timed phase.
        var reservations = await ReserveAsync(load, workload, Rounds * perRound);
        var firstCancels = workload.Cancels(reservations.Select(r => (Id: "cancel-" + r, Reservation: r)).ToList());
        var first = await RoundsAsync(load, Route("cancelFundsReservation"), firstCancels, (workload, "result", "SUCCESS"));

        // (b) idempotent replays of those cancels: the same bodies again.
        var replay = await RoundsAsync(load, Route("cancelFundsReservation"), firstCancels, (workload, "result", "SUCCESS"));

        // (c) 90% first cancels, 10% replays, interleaved.
        var mixReservations = await ReserveAsync(load, workload, Rounds * perRound * 9 / 10);
        var mixFirst = workload.Cancels(mixReservations.Select(r => (Id: "cancel-" + r, Reservation: r)).ToList());
        var mixBodies = new List<byte[]>();
        for (var i = 0; i < mixFirst.Length; i++)
        {
            mixBodies.Add(mixFirst[i]);
            if (i % 9 == 8)
            {
                mixBodies.Add(firstCancels[i % firstCancels.Length]);
            }
        }

        var mix = await RoundsAsync(load, Route("cancelFundsReservation"), mixBodies, (workload, "result", "SUCCESS"));

        // (d) echo.
        var echo = await RoundsAsync(load, Route("echo"), workload.Echoes(Workload.NewIds("echo", Rounds * perRound)), (workload, "clientMessage", "benchmark"));

        // Latency at half the maximum first-cancel rate, open loop (requests start on schedule).
        var rate = first.RequestsPerSecond / 2;
        var openReservations = await ReserveAsync(load, workload, (int)(rate * (quick ? 3 : 6)));
        var openBodies = workload.Cancels(openReservations.Select(r => (Id: "cancel-" + r, Reservation: r)).ToList());
        var open = await load.OpenLoopAsync(Route("cancelFundsReservation"), openBodies, rate);

        return new ModeResults(mode, first, replay, mix, echo, open, rate);
    }

    private async Task<HistoryResult> HistoryAsync(int stored)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, $"history-{stored}")).FullName;
        var setup = Stopwatch.StartNew();
        var database = await History.CreateAsync(folder, stored, AccountId);
        var seed = Path.Combine(folder, "seed.json");
        await File.WriteAllTextAsync(seed, Seed);
        setup.Stop();

        await using var server = await BenchServer.StartIntegratorAsync(new Dictionary<string, string>
        {
            ["Storage__ConnectionString"] = $"Data Source={database}",
            ["Ledger__SeedFile"] = seed,
            ["Gsp__PaymentIntegratorAccountIds__0"] = AccountId,
            ["Notifications__Enabled"] = "false",
            ["MessageSecurity__Mode"] = "None",
        });
        using var load = new LoadGenerator(server, "application/json");
        var random = new Random(7);
        await load.ClosedLoopAsync(Route("echo"), new Workload(new PlaintextCodec(), AccountId).Echoes(Workload.NewIds("warm", 2000)), sampleEvery: int.MaxValue);
        var bodies = Enumerable.Range(0, quick ? 6000 : 18000).Select(_ => History.Json(History.Request(random.Next(stored), AccountId))).ToList();
        var workload = new Workload(new PlaintextCodec(), AccountId);
        var replay = await RoundsAsync(load, Route("cancelFundsReservation"), bodies, (workload, "result", "SUCCESS"));
        return new HistoryResult(stored, replay, setup.Elapsed, new FileInfo(database).Length);
    }

    private static async Task<string[]> ReserveAsync(LoadGenerator load, Workload workload, int count)
    {
        var ids = Workload.NewIds("reserve", count);
        var (run, _) = await load.ClosedLoopAsync(Route("reserveFunds"), workload.Reserves(ids), sampleEvery: int.MaxValue);
        return run.Failures == 0 ? ids : throw new InvalidOperationException($"{run.Failures} of {count} reservations failed.");
    }

    /// <summary>Runs the bodies in <see cref="Rounds"/> equal rounds; throughput and CPU are the rounds' medians.</summary>
    private static async Task<Measured> RoundsAsync(LoadGenerator load, string path, IReadOnlyList<byte[]> bodies, (Workload Workload, string Field, string Value)? check)
    {
        var size = bodies.Count / Rounds;
        var runs = new List<LoadRun>();
        var verified = 0;
        var wrong = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (run, samples) = await load.ClosedLoopAsync(path, bodies.Skip(round * size).Take(size).ToList());
            runs.Add(run);
            foreach (var sample in samples.Values)
            {
                // Answers are opened and checked after the timed phase, so the client's crypto does not compete with the server.
                if (check is { } c && !c.Workload.Verify(sample, c.Field, c.Value))
                {
                    wrong++;
                }

                verified++;
            }
        }

        return new Measured(
            runs.Select(r => r.RequestsPerSecond).Order().ElementAt(Rounds / 2),
            runs.SelectMany(r => r.LatenciesMs).ToArray(),
            runs.Select(r => r.ServerCpuMsPerRequest).Order().ElementAt(Rounds / 2),
            runs.Max(r => r.PeakRssBytes),
            runs.Sum(r => r.Failures),
            verified,
            wrong);
    }

    public static async Task LoadAsync(Uri url, int count, string mode, string keys)
    {
        IMessageCodec client = mode == "Pgp"
            ? new PgpCodec(
                new PgpOpener(PgpKeyring.Load([System.IO.Path.Combine(keys, "google-1.sec.asc")], "test-passphrase", [System.IO.Path.Combine(keys, "integrator-1.pub.asc")]), TimeProvider.System),
                new PgpSealer(PgpKeyring.Load([System.IO.Path.Combine(keys, "google-1.sec.asc")], "test-passphrase", [System.IO.Path.Combine(keys, "integrator-1.pub.asc")]), TimeProvider.System))
            : new PlaintextCodec();
        using var load = new LoadGenerator(BenchServer.External(url), client.ContentType);
        var workload = new Workload(client, AccountId);
        var reservations = await ReserveAsync(load, workload, count);
        var cancels = workload.Cancels(reservations.Select(r => (Id: "cancel-" + r, Reservation: r)).ToList());
        var (first, _) = await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels);
        Console.WriteLine($"{count} first cancels: {first.RequestsPerSecond:N0} req/s, {first.Failures} failed");
    }

    /// <summary>
    /// Before timing, each server does some of every kind of work on requests of their own, so that tiered
    /// compilation has settled and the rounds measure steady state.
    /// </summary>
    private async Task WarmUpAsync(LoadGenerator load, Workload workload)
    {
        var reservations = await ReserveAsync(load, workload, quick ? 300 : 1000);
        var cancels = workload.Cancels(reservations.Select(r => (Id: "warm-" + r, Reservation: r)).ToList());
        await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels, sampleEvery: int.MaxValue);
        await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels, sampleEvery: int.MaxValue);
        await load.ClosedLoopAsync(Route("echo"), workload.Echoes(Workload.NewIds("warm", quick ? 300 : 1000)), sampleEvery: int.MaxValue);
    }

    private static string Route(string method) => "/redirect-payment-token-v1/" + method;
}

/// <summary>A scenario's figures: medians of its rounds, latencies of all its requests.</summary>
internal sealed record Measured(double RequestsPerSecond, double[] LatenciesMs, double ServerCpuMsPerRequest, long PeakRssBytes, int Failures, int Verified, int Wrong)
{
    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }

    public static Measured Of(LoadRun run) => new(run.RequestsPerSecond, run.LatenciesMs, run.ServerCpuMsPerRequest, run.PeakRssBytes, run.Failures, 0, 0);
}

internal sealed record ModeResults(
    MessageSecurityMode Mode, Measured First, Measured Replay, Measured Mix, Measured Echo, LoadRun Open, double OpenRate);

internal sealed record HistoryResult(int Stored, Measured Replay, TimeSpan Setup, long DatabaseBytes);

internal static class Formats
{
    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Percent(double ratio) => (ratio * 100).ToString("N0", CultureInfo.InvariantCulture) + " %";

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
}
