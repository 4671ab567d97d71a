using System.Diagnostics;
using System.Globalization;
using Integrator.Core.Security;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;

namespace Integrator.Bench;

/// <summary>
/// The whole benchmark: each scenario in plaintext and in PGP against a real server process, then replay cost against
/// history; every round paired with a round of its ceiling; one report with every figure's ratio to its ceiling.
/// </summary>
internal sealed class BenchRun(string keys, string work, bool quick, string[] only)
{
    public const int Rounds = 5;
    public const string BenchAccount = "acct-bench";
    private const string AccountId = "InvisiCashUSA_USD";

    public static readonly string Seed = """
        { "accounts": [ { "accountId": "acct-bench", "currencyCode": "USD", "balanceMicros": "9000000000000000", "status": "ACTIVE" } ],
          "paymentTokens": [ { "googlePaymentToken": "tok-bench", "accountId": "acct-bench" } ] }
        """;

    private readonly Report _report = new();

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        _report.Header(quick);

        // The HTTP ceiling's server runs all along, idle between its rounds.
        await using var ceilingServer = await BenchServer.StartCeilingAsync();
        using var ceilingLoad = new LoadGenerator(ceilingServer, "application/json");
        var echoes = new Workload(new PlaintextCodec(), AccountId).Echoes(Workload.NewIds("ceiling", quick ? 10_000 : 20_000));
        await WarmUpAsync("HTTP ceiling", ceilingServer, () => ceilingLoad.ClosedLoopAsync(CeilingServer.Path, echoes, sampleEvery: int.MaxValue));
        using var ceilings = new Ceilings(ceilingLoad, echoes, work);

        var plaintext = only.Contains("none") ? await ModeAsync(MessageSecurityMode.None, ceilings) : null;
        var pgp = only.Contains("pgp") ? await ModeAsync(MessageSecurityMode.Pgp, ceilings) : null;
        var history = only.Contains("history") ? await HistoryAsync(string.Empty, SqliteHistoryAsync) : null;
        var postgres = only.Contains("postgres") ? await PostgresAsync() : null;
        var backend = only.Contains("backend") ? await new BackendBench(work, quick, WarmUpAsync).RunAsync() : null;
        var patroni = only.Contains("patroni") ? await PatroniAsync() : null;

        _report.Ceilings(ceilings);
        _report.Scenarios(plaintext, pgp);
        _report.History(history);
        _report.Postgres(postgres);
        _report.Backend(backend);
        _report.Patroni(patroni);
        _report.WarmUps();
        _report.Targets(plaintext, pgp, history, postgres, backend, patroni);
        Console.WriteLine($"\nTotal time: {total.Elapsed.TotalSeconds:N0} s.");
        return 0;
    }

    private async Task<ModeResults> ModeAsync(MessageSecurityMode mode, Ceilings ceilings)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, mode.ToString())).FullName;
        var environment = await ServerEnvironmentAsync(folder, Path.Combine(folder, "integrator.db"));
        environment["MessageSecurity__Mode"] = mode.ToString();
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
        var pgp = mode == MessageSecurityMode.Pgp;
        var perRound = (pgp, quick) switch { (true, true) => 200, (true, false) => 600, (false, true) => 1000, (false, false) => 3000 };
        // Replays and echoes are cheap in plaintext: longer rounds, so that they last as long as the others.
        var cheapPerRound = pgp ? perRound : perRound * 4;
        await WarmUpAsync($"Integrator, {mode}", server, async () =>
        {
            var count = pgp ? 200 : 500;
            var cancels = workload.Cancels(await ReserveAsync([load], workload, count));
            await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels, sampleEvery: int.MaxValue);
            await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels, sampleEvery: int.MaxValue);
            await load.ClosedLoopAsync(Route("echo"), workload.Echoes(Workload.NewIds("warm", count)), sampleEvery: int.MaxValue);
        });

        async Task<Measured> ScenarioAsync(string method, IReadOnlyList<byte[]> bodies, int size, string field, string value, Ceiling ceiling) =>
            await RoundsAsync(load, Route(method), bodies, size, new Check(workload, field, value), () => ceilings.MeasureAsync(ceiling));

        // (a) first cancels of distinct reservations, made before the timed phase.
        var firstCancels = workload.Cancels(await ReserveAsync([load], workload, Rounds * perRound));
        var first = await ScenarioAsync("cancelFundsReservation", firstCancels, perRound, "result", "SUCCESS", pgp ? Ceiling.Crypto : Ceiling.Storage);

        // (b) idempotent replays of those cancels: the same bodies again.
        var replays = Enumerable.Range(0, Rounds * cheapPerRound).Select(i => firstCancels[i % firstCancels.Length]).ToList();
        var replay = await ScenarioAsync("cancelFundsReservation", replays, cheapPerRound, "result", "SUCCESS", pgp ? Ceiling.Crypto : Ceiling.Http);

        // (c) 90% first cancels, 10% replays, interleaved.
        var mixFirst = workload.Cancels(await ReserveAsync([load], workload, Rounds * perRound * 9 / 10));
        var mixBodies = mixFirst.SelectMany((body, i) => i % 9 == 8 ? [body, firstCancels[i]] : new[] { body }).ToList();
        var mix = await ScenarioAsync("cancelFundsReservation", mixBodies, mixBodies.Count / Rounds, "result", "SUCCESS", pgp ? Ceiling.Crypto : Ceiling.Storage);

        // (d) echo.
        var echo = await ScenarioAsync("echo", workload.Echoes(Workload.NewIds("echo", Rounds * cheapPerRound)), cheapPerRound, "clientMessage", "benchmark", pgp ? Ceiling.Crypto : Ceiling.Http);

        return new ModeResults(mode, first, replay, mix, echo, await HalfLoadAsync(load, workload, first.RequestsPerSecond, quick));
    }

    /// <summary>
    /// Latency at half the maximum first-cancel rate: first cancels in an open loop (requests start on schedule whether
    /// or not earlier ones have finished), 3 rounds of a few seconds, each on reservations made before it.
    /// </summary>
    public static async Task<HalfLoad> HalfLoadAsync(LoadGenerator load, Workload workload, double maximumRate, bool quick)
    {
        var rate = maximumRate / 2;
        var seconds = quick ? 2 : 4;
        var rounds = new List<LoadRun>();
        for (var round = 0; round < 3; round++)
        {
            var cancels = workload.Cancels(await ReserveAsync([load], workload, (int)(rate * seconds)));
            rounds.Add(await load.OpenLoopAsync(Route("cancelFundsReservation"), cancels, rate));
        }

        return new HalfLoad(rate, rounds);
    }

    /// <summary>
    /// Replays against 10 k and against 1 M (quick: 100 k) stored requests: two servers, each on a database filled before
    /// timing by <paramref name="createDatabase"/> (its server environment and size), their rounds alternating so that
    /// both see the same machine.
    /// </summary>
    private async Task<HistoryResults> HistoryAsync(string engine, Func<int, Task<(Dictionary<string, string> Environment, long Bytes)>> createDatabase)
    {
        var sizes = new[] { 10_000, quick ? 100_000 : 1_000_000 };
        var servers = new List<(int Stored, BenchServer Server, LoadGenerator Load, long Bytes, Random Random)>();
        try
        {
            foreach (var stored in sizes)
            {
                var (environment, bytes) = await createDatabase(stored);
                environment["MessageSecurity__Mode"] = "None";
                var server = await BenchServer.StartIntegratorAsync(environment);
                servers.Add((stored, server, new LoadGenerator(server, "application/json"), bytes, new Random(stored)));
            }

            List<byte[]> Replays(int stored, Random random, int count) =>
                Enumerable.Range(0, count).Select(_ => History.Json(History.Request(random.Next(stored), AccountId))).ToList();
            foreach (var (stored, server, load, _, random) in servers)
            {
                await WarmUpAsync($"Integrator{engine}, {stored:N0} stored", server, () => load.ClosedLoopAsync(Route("cancelFundsReservation"), Replays(stored, random, 4000), sampleEvery: int.MaxValue));
            }

            var size = quick ? 4000 : 10_000;
            var small = servers[0];
            var large = servers[1];
            var smallBodies = Replays(small.Stored, small.Random, Rounds * size);
            var largeBodies = Replays(large.Stored, large.Random, Rounds * size);
            var check = new Check(new Workload(new PlaintextCodec(), AccountId), "result", "SUCCESS");

            // Each round of the larger history runs right after a round of the smaller one, its baseline.
            var smallRounds = new RoundSet(check);
            var next = 0;
            var largeReplay = await RoundsAsync(large.Load, Route("cancelFundsReservation"), largeBodies, size, check, async () =>
                await smallRounds.RunAsync(small.Load, Route("cancelFundsReservation"), smallBodies.Skip(next++ * size).Take(size).ToList(), null));
            var smallReplay = smallRounds.Summary();
            return new HistoryResults(small.Stored, small.Bytes, smallReplay, large.Stored, large.Bytes, largeReplay);
        }
        finally
        {
            foreach (var (_, server, load, _, _) in servers)
            {
                load.Dispose();
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>PostgreSQL (<c>INTEGRATOR_BENCH_POSTGRES</c>): instance scaling and history, or a note saying how to run it.</summary>
    private async Task<PostgresResults?> PostgresAsync()
    {
        if (Environment.GetEnvironmentVariable("INTEGRATOR_BENCH_POSTGRES") is not { Length: > 0 } admin)
        {
            Console.WriteLine("\nPostgreSQL skipped: set INTEGRATOR_BENCH_POSTGRES to a connection string whose user may create databases.");
            return null;
        }

        var postgres = new PostgresBench(admin, work, quick, WarmUpAsync);
        try
        {
            return new PostgresResults(await postgres.ScalingAsync(), await HistoryAsync(" on PostgreSQL", postgres.HistoryDatabaseAsync));
        }
        finally
        {
            await postgres.DropDatabasesAsync();
        }
    }

    /// <summary>
    /// One instance on the single PostgreSQL of <c>INTEGRATOR_BENCH_POSTGRES</c>, then 1, 2 and 3 instances on a Patroni
    /// cluster the benchmark starts on 127.0.0.1 (three nodes, a synchronous standby, strict), or a note saying how to run it.
    /// </summary>
    private async Task<PatroniResults?> PatroniAsync()
    {
        if (Environment.GetEnvironmentVariable("INTEGRATOR_BENCH_POSTGRES") is not { Length: > 0 } admin || PatroniCluster.Missing() is { } missing)
        {
            Console.WriteLine($"\nPatroni skipped: {PatroniCluster.Missing() ?? "set INTEGRATOR_BENCH_POSTGRES to a connection string whose user may create databases (the single PostgreSQL compared)."}");
            return null;
        }

        var single = new PostgresBench(admin, work, quick, WarmUpAsync);
        ScalingResults singleResults;
        try
        {
            singleResults = await single.OneInstanceAsync();
        }
        finally
        {
            await single.DropDatabasesAsync();
        }

        await using var cluster = await PatroniCluster.StartAsync();
        return new PatroniResults(singleResults, await new PostgresBench(cluster.AdminConnectionString, work, quick, WarmUpAsync).ScalingAsync());
    }

    private async Task<(Dictionary<string, string> Environment, long Bytes)> SqliteHistoryAsync(int stored)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, $"history-{stored}")).FullName;
        var database = await History.CreateAsync(folder, stored, AccountId);
        return (await ServerEnvironmentAsync(folder, database), new FileInfo(database).Length);
    }

    public static async Task<Dictionary<string, string>> ServerEnvironmentAsync(string folder, string database)
    {
        var seed = Path.Combine(folder, "seed.json");
        await File.WriteAllTextAsync(seed, Seed);
        return new Dictionary<string, string>
        {
            ["Storage__ConnectionString"] = $"Data Source={database}",
            ["Ledger__SeedFile"] = seed,
            ["Gsp__PaymentIntegratorAccountIds__0"] = AccountId,
            ["Notifications__Enabled"] = "false",
        };
    }

    /// <summary>
    /// Reserves <paramref name="count"/> distinct reservations, spread round-robin over the <paramref name="loads"/> (the
    /// instances); their cancels, one per reservation.
    /// </summary>
    public static async Task<(string Id, string Reservation)[]> ReserveAsync(IReadOnlyList<LoadGenerator> loads, Workload workload, int count)
    {
        var ids = Workload.NewIds("reserve", count);
        var runs = await Task.WhenAll(loads.Select((load, i) =>
            load.ClosedLoopAsync(Route("reserveFunds"), workload.Reserves(ids.Where((_, n) => n % loads.Count == i).ToList()), sampleEvery: int.MaxValue)));
        var failures = runs.Sum(r => r.Run.Failures);
        return failures == 0
            ? ids.Select(id => (Id: "cancel-" + id, Reservation: id)).ToArray()
            : throw new InvalidOperationException($"{failures} of {count} reservations failed.");
    }

    /// <summary>
    /// Runs the bodies in <see cref="Rounds"/> rounds of <paramref name="size"/>, each right after a round of its
    /// ceiling when there is one.
    /// </summary>
    public static async Task<Measured> RoundsAsync(
        LoadGenerator load, string path, IReadOnlyList<byte[]> bodies, int size, Check check, Func<Task<double>>? ceiling)
    {
        var rounds = new RoundSet(check);
        for (var round = 0; round < Rounds; round++)
        {
            double? paired = ceiling is null ? null : await ceiling();
            await rounds.RunAsync(load, path, bodies.Skip(round * size).Take(size).ToList(), paired);
        }

        return rounds.Summary();
    }

    /// <summary>
    /// Before timing, each server works on requests of its own, round after round, until the runtime's tiered
    /// compilation has gone quiet (no re-JIT in two rounds in a row): until then a fresh .NET process runs
    /// partly unoptimised code and measures the JIT, not the server — on this machine that takes 50–100 k requests.
    /// </summary>
    private async Task WarmUpAsync(string server, BenchServer process, Func<Task> round)
    {
        const int MaxRounds = 60;
        var watch = Stopwatch.StartNew();
        var (rounds, quiet) = (0, 0);
        while (quiet < 2 && rounds < MaxRounds)
        {
            var before = process.TieringCpuSeconds();
            await round();
            rounds++;
            quiet = process.TieringCpuSeconds() == before ? quiet + 1 : 0;
        }

        _report.WarmedUp(server, rounds, watch.Elapsed, steady: quiet == 2);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Route(string method) => "/redirect-payment-token-v1/" + method;
}

/// <summary>What a sample of the answers must say: <c>Field</c> is <c>Value</c> once opened as Google would.</summary>
internal sealed record Check(Workload Workload, string Field, string Value);

/// <summary>The rounds of one scenario as they are run, and their summary.</summary>
internal sealed class RoundSet(Check check)
{
    private readonly List<LoadRun> _runs = [];
    private readonly List<double> _ratios = [];
    private readonly List<double> _ceilings = [];
    private int _verified;
    private int _wrong;

    /// <summary>One round; <paramref name="ceiling"/> is the rate of the ceiling round run just before it, if any.</summary>
    public async Task<double> RunAsync(LoadGenerator load, string path, IReadOnlyList<byte[]> bodies, double? ceiling)
    {
        var (run, samples) = await load.ClosedLoopAsync(path, bodies);
        Add(run, samples.Values, ceiling);
        return run.RequestsPerSecond;
    }

    private void Add(LoadRun run, IEnumerable<byte[]> samples, double? ceiling)
    {
        _runs.Add(run);
        if (ceiling is { } rate)
        {
            _ceilings.Add(rate);
            _ratios.Add(run.RequestsPerSecond / rate);
        }

        foreach (var sample in samples)
        {
            // Answers are opened and checked after the timed phase, so the client's crypto does not compete with the server.
            _wrong += check.Workload.Verify(sample, check.Field, check.Value) ? 0 : 1;
            _verified++;
        }
    }

    /// <summary>
    /// One round spread round-robin over several instances, sent to all at once: every request counts, over the time of
    /// the slowest instance; server CPU is that of all instances together.
    /// </summary>
    public async Task RunSpreadAsync(IReadOnlyList<LoadGenerator> loads, string path, IReadOnlyList<byte[]> bodies, double ceiling)
    {
        var parts = await Task.WhenAll(loads.Select((load, i) => load.ClosedLoopAsync(path, bodies.Where((_, n) => n % loads.Count == i).ToList())));
        var requests = parts.Sum(p => p.Run.Requests);
        var run = new LoadRun(
            requests,
            parts.Max(p => p.Run.Seconds),
            [.. parts.SelectMany(p => p.Run.LatenciesMs)],
            parts.Sum(p => p.Run.Failures),
            parts.Sum(p => p.Run.ServerCpuMsPerRequest * p.Run.Requests) / requests,
            parts.Max(p => p.Run.PeakRssBytes));
        Add(run, parts.SelectMany(p => p.Samples.Values), ceiling);
    }

    /// <summary>Throughput, CPU and the ratio to the ceiling are the rounds' medians; latencies are those of every request.</summary>
    public Measured Summary() => new(
        BenchRun.Median(_runs.Select(r => r.RequestsPerSecond)),
        _runs.SelectMany(r => r.LatenciesMs).ToArray(),
        BenchRun.Median(_runs.Select(r => r.ServerCpuMsPerRequest)),
        _runs.Max(r => r.PeakRssBytes),
        _runs.Sum(r => r.Failures),
        _verified,
        _wrong,
        _ceilings.Count > 0 ? BenchRun.Median(_ceilings) : null,
        _ratios.Count > 0 ? BenchRun.Median(_ratios) : null);
}

/// <summary>A scenario's figures: medians of its rounds (and of their ratios to the paired ceiling rounds), latencies of all its requests.</summary>
internal sealed record Measured(
    double RequestsPerSecond,
    double[] LatenciesMs,
    double ServerCpuMsPerRequest,
    long PeakRssBytes,
    int Failures,
    int Verified,
    int Wrong,
    double? CeilingPerSecond,
    double? Ratio)
{
    public double Percentile(double p) => Percentiles.Of(LatenciesMs, p);
}

internal sealed record ModeResults(MessageSecurityMode Mode, Measured First, Measured Replay, Measured Mix, Measured Echo, HalfLoad Open);

/// <summary>Open-loop rounds at half a measured rate; percentiles are the rounds' medians.</summary>
internal sealed record HalfLoad(double Rate, IReadOnlyList<LoadRun> Rounds)
{
    public double Percentile(double p) => BenchRun.Median(Rounds.Select(r => r.Percentile(p)));

    public double WorstP99 => Rounds.Max(r => r.Percentile(0.99));

    public int Failures => Rounds.Sum(r => r.Failures);
}

internal sealed record HistoryResults(int SmallStored, long SmallBytes, Measured Small, int LargeStored, long LargeBytes, Measured Large);

internal static class Percentiles
{
    public static double Of(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
    }
}

internal static class Formats
{
    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Percent(double ratio) => (ratio * 100).ToString("N0", CultureInfo.InvariantCulture) + " %";

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
}
