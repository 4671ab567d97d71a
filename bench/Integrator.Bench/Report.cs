using Integrator.Core.Security;
using static Integrator.Bench.Formats;

namespace Integrator.Bench;

/// <summary>Prints the benchmark as Markdown tables, every figure beside its ceiling.</summary>
internal sealed class Report
{
    private const double PgpFirstCancelTarget = 0.60;
    private const double ReplayTarget = 0.40;
    private const double FirstCancelTarget = 0.50;
    private const double HistoryTarget = 0.90;
    private const double PostgresFirstCancelTarget = 1.50;
    private const double PostgresTwoInstancesTarget = 0.90;
    private const double SynchronousFirstCancelTarget = 1.00;
    private const double P99TargetMs = 25;
    private const long PeakRssTarget = 300L * 1024 * 1024;
    private const double BackendTarget = 0.50;
    private const double BackendP99MarginMs = 10;

    private readonly List<string> _warmUps = [];

    public void Header(bool quick)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        Console.WriteLine($"# Integrator benchmark{(quick ? " (quick)" : "")}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores ({cpu}), .NET {Environment.Version}");
        Console.WriteLine("Server: Integrator.Api (Release) as its own process on 127.0.0.1, SQLite file (WAL, synchronous=FULL) unless the section says");
        Console.WriteLine("PostgreSQL, notifications not dispatched.");
        Console.WriteLine($"Client: this process, {LoadGenerator.Concurrency} keep-alive connections, bodies sealed before timing. Each scenario runs {BenchRun.Rounds} rounds, each");
        Console.WriteLine("right after a round of its ceiling; throughput, CPU and ratios are medians of the rounds, latencies cover every request.");
    }

    public void WarmedUp(string server, int rounds, TimeSpan took, bool steady) =>
        _warmUps.Add($"| {server} | {rounds} | {N(took.TotalSeconds, 1)} s | {(steady ? "yes" : "NO: still compiling, figures are low")} |");

    public void Ceilings(Ceilings ceilings)
    {
        if (ceilings.HttpRounds.Count + ceilings.CryptoRounds.Count + ceilings.StorageRounds.Count == 0)
        {
            return;
        }

        Console.WriteLine("\n## Ceilings of this machine (medians of the rounds run beside the scenarios)\n");
        Console.WriteLine("| ceiling | how | rounds | per second | range | cost |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        if (ceilings.HttpRounds.Count > 0)
        {
            var rates = ceilings.HttpRounds.Select(r => r.RequestsPerSecond).ToList();
            Console.WriteLine($"| HTTP | empty ASP.NET Core endpoint, same host and client | {rates.Count} | {N(BenchRun.Median(rates))} req/s | {Range(rates)} | {N(BenchRun.Median(ceilings.HttpRounds.Select(r => r.ServerCpuMsPerRequest)), 3)} ms CPU/req |");
        }

        if (ceilings.CryptoRounds.Count > 0)
        {
            Console.WriteLine($"| crypto | RSA-2048 private ops/s through OpenSSL on every core ÷ 2 (decrypt + sign per call) | {ceilings.CryptoRounds.Count} | {N(BenchRun.Median(ceilings.CryptoRounds))} calls/s | {Range(ceilings.CryptoRounds)} | |");
        }

        if (ceilings.StorageRounds.Count > 0)
        {
            var median = BenchRun.Median(ceilings.StorageRounds);
            Console.WriteLine($"| storage | bare SQLite transaction with the {Bench.Ceilings.FirstCancelRowWrites} row writes of a first cancel, one writer | {ceilings.StorageRounds.Count} | {N(median)} tx/s | {Range(ceilings.StorageRounds)} | {N(1_000_000 / median)} µs/tx |");
        }
    }

    public void Scenarios(ModeResults? plaintext, ModeResults? pgp)
    {
        var modes = new[] { plaintext, pgp }.OfType<ModeResults>().ToList();
        if (modes.Count == 0)
        {
            return;
        }

        Console.WriteLine("\n## Scenarios\n");
        Console.WriteLine("| scenario | security | req/s | p50 | p99 | p99.9 | server CPU/req | peak RSS | ratio to its ceiling | failed | answers verified |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var mode in modes)
        {
            var pgpMode = mode.Mode == MessageSecurityMode.Pgp;
            Row("(a) first cancel", mode.Mode, mode.First, pgpMode ? "crypto" : "storage");
            Row("(b) replay", mode.Mode, mode.Replay, pgpMode ? "crypto" : "HTTP");
            Row("(c) 90% first / 10% replay", mode.Mode, mode.Mix, pgpMode ? "crypto" : "storage");
            Row("(d) echo", mode.Mode, mode.Echo, pgpMode ? "crypto" : "HTTP");
        }

        Console.WriteLine($"\n## Latency at half the maximum first-cancel rate (open loop: requests start on schedule; {modes[0].Open.Rounds.Count} rounds, medians)\n");
        HalfLoadTable("security", modes.Select(m => (m.Mode.ToString(), m.Open)));
    }

    private static void HalfLoadTable(string what, IEnumerable<(string Name, HalfLoad Open)> rows)
    {
        Console.WriteLine($"| {what} | rate | p50 | p99 | p99.9 | worst round's p99 | failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, open) in rows)
        {
            Console.WriteLine(
                $"| {name} | {N(open.Rate)} req/s | {N(open.Percentile(0.5), 1)} ms | {N(open.Percentile(0.99), 1)} ms " +
                $"| {N(open.Percentile(0.999), 1)} ms | {N(open.WorstP99, 1)} ms | {open.Failures} |");
        }
    }

    public void History(HistoryResults? history)
    {
        if (history is null)
        {
            return;
        }

        HistoryTable("Replay cost against history (plaintext, replays read from the database; rounds of the two alternate)", history);
    }

    public void Patroni(PatroniResults? patroni)
    {
        if (patroni is null)
        {
            return;
        }

        Console.WriteLine("\n## PostgreSQL with a synchronous standby (Patroni, 3 nodes on 127.0.0.1) beside a single PostgreSQL (plaintext, load spread round-robin; each round right after a ceiling round)\n");
        Console.WriteLine("| database | instances | scenario | req/s | p50 | p99 | server CPU/req (all instances) | ceiling (bare transactions, same writes, 32 connections) | ratio to it | ratio to single, 1 instance | failed |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var single = patroni.Single;
        foreach (var (database, s) in patroni.Synchronous.Select(s => ("Patroni, synchronous", s)).Prepend(("single PostgreSQL", single)))
        {
            Row(database, s.Instances, "(a) first cancel", s.First, single.First);
            Row(database, s.Instances, "(b) replay", s.Replay, single.Replay);
        }

        Console.WriteLine("\nLatency at half the first-cancel rate, 1 instance (open loop, rounds' medians):\n");
        HalfLoadTable("database", [("single PostgreSQL", single.Open!), ("Patroni, synchronous", patroni.Synchronous[0].Open!)]);

        static void Row(string database, int instances, string scenario, Measured m, Measured single) =>
            Console.WriteLine(
                $"| {database} | {instances} | {scenario} | {N(m.RequestsPerSecond)} | {N(m.Percentile(0.5), 1)} ms | {N(m.Percentile(0.99), 1)} ms | {N(m.ServerCpuMsPerRequest, 3)} ms " +
                $"| {N(m.CeilingPerSecond!.Value)} tx/s | {Percent(m.Ratio!.Value)} | {Percent(m.RequestsPerSecond / single.RequestsPerSecond)} | {m.Failures} |");
    }

    public void Postgres(PostgresResults? postgres)
    {
        if (postgres is null)
        {
            return;
        }

        Console.WriteLine("\n## PostgreSQL: instances on one database (plaintext, load spread round-robin; each round right after a ceiling round)\n");
        Console.WriteLine("| instances | scenario | req/s | p50 | p99 | server CPU/req (all instances) | ceiling (bare transactions, same writes, 32 connections) | ratio to it | ratio to 1 instance | failed |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var one = postgres.Scaling[0];
        foreach (var s in postgres.Scaling)
        {
            Row(s.Instances, "(a) first cancel", s.First, one.First);
            Row(s.Instances, "(b) replay", s.Replay, one.Replay);
        }

        Console.WriteLine("\nLatency at half the first-cancel rate, 1 instance (open loop, rounds' medians):\n");
        HalfLoadTable("database", [("single PostgreSQL", one.Open!)]);
        HistoryTable("PostgreSQL: replay cost against history (rounds of the two alternate)", postgres.History);

        static void Row(int instances, string scenario, Measured m, Measured single) =>
            Console.WriteLine(
                $"| {instances} | {scenario} | {N(m.RequestsPerSecond)} | {N(m.Percentile(0.5), 1)} ms | {N(m.Percentile(0.99), 1)} ms | {N(m.ServerCpuMsPerRequest, 3)} ms " +
                $"| {N(m.CeilingPerSecond!.Value)} tx/s | {Percent(m.Ratio!.Value)} | {Percent(m.RequestsPerSecond / single.RequestsPerSecond)} | {m.Failures} |");
    }

    public void Backend(IReadOnlyList<BackendResults>? backend)
    {
        if (backend is null)
        {
            return;
        }

        Console.WriteLine("\n## Account back end: the Http provider against the stand-in core (its own process), each round right after one on the embedded ledger\n");
        Console.WriteLine("| core latency | scenario | req/s | p50 | p99 | server CPU/req | embedded ledger | ratio to it | failed | answers verified |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var b in backend)
        {
            Row(b.LatencyMs, "reserve", b.Reserve);
            Row(b.LatencyMs, "first cancel", b.Cancel);
        }

        Console.WriteLine("\n| core latency | open-loop reserve rate (half the maximum) | p50 | p99 | worst round's p99 | the core alone at that rate: p50 / p99 | failed |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var b in backend)
        {
            Console.WriteLine(
                $"| {b.LatencyMs} ms | {N(b.OpenRate)} req/s | {N(BenchRun.Median(b.Open.Select(r => r.Percentile(0.5))), 1)} ms | {N(b.OpenP99, 1)} ms " +
                $"| {N(b.Open.Max(r => r.Percentile(0.99)), 1)} ms | {N(BenchRun.Median(b.CoreAlone.Select(r => r.Percentile(0.5))), 1)} ms / {N(b.CoreP99, 1)} ms | {b.Open.Sum(r => r.Failures)} |");
        }

        static void Row(int latency, string scenario, Measured m) =>
            Console.WriteLine(
                $"| {latency} ms | {scenario} | {N(m.RequestsPerSecond)} | {N(m.Percentile(0.5), 1)} ms | {N(m.Percentile(0.99), 1)} ms | {N(m.ServerCpuMsPerRequest, 3)} ms " +
                $"| {N(m.CeilingPerSecond!.Value)} req/s | {Percent(m.Ratio!.Value)} | {m.Failures} | {m.Verified - m.Wrong}/{m.Verified} |");
    }

    private static void HistoryTable(string title, HistoryResults h)
    {
        Console.WriteLine($"\n## {title}\n");
        Console.WriteLine("| stored completed requests | database | replay req/s | server CPU/req | p99 | ratio to the smaller history |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {N(h.SmallStored)} | {Mb(h.SmallBytes)} | {N(h.Small.RequestsPerSecond)} | {N(h.Small.ServerCpuMsPerRequest, 3)} ms | {N(h.Small.Percentile(0.99), 1)} ms | 100 % |");
        Console.WriteLine($"| {N(h.LargeStored)} | {Mb(h.LargeBytes)} | {N(h.Large.RequestsPerSecond)} | {N(h.Large.ServerCpuMsPerRequest, 3)} ms | {N(h.Large.Percentile(0.99), 1)} ms | {Percent(h.Large.Ratio!.Value)} |");
    }

    public void WarmUps()
    {
        Console.WriteLine("\n## Warm-up before timing (rounds of the server's own requests until tiered JIT is quiet)\n");
        Console.WriteLine("| server | rounds | took | steady |");
        Console.WriteLine("|---|---:|---:|:---:|");
        _warmUps.ForEach(Console.WriteLine);
    }

    public void Targets(
        ModeResults? plaintext, ModeResults? pgp, HistoryResults? history, PostgresResults? postgres, IReadOnlyList<BackendResults>? backend, PatroniResults? patroni)
    {
        Console.WriteLine("\n## Targets\n");
        Console.WriteLine("| target | figure | holds |");
        Console.WriteLine("|---|---:|:---:|");
        if (pgp is not null)
        {
            Target($"PGP first cancel ≥ {Percent(PgpFirstCancelTarget)} of the crypto ceiling", pgp.First.Ratio!.Value, PgpFirstCancelTarget);
        }

        if (plaintext is not null)
        {
            Target($"plaintext replay ≥ {Percent(ReplayTarget)} of the HTTP ceiling", plaintext.Replay.Ratio!.Value, ReplayTarget);
            Target($"plaintext first cancel ≥ {Percent(FirstCancelTarget)} of the storage ceiling", plaintext.First.Ratio!.Value, FirstCancelTarget);
        }

        if (history is not null)
        {
            Target($"replay at {N(history.LargeStored)} stored ≥ {Percent(HistoryTarget)} of at {N(history.SmallStored)}", history.Large.Ratio!.Value, HistoryTarget);
        }

        if (postgres is not null)
        {
            var h = postgres.History;
            Target($"PostgreSQL: replay at {N(h.LargeStored)} stored ≥ {Percent(HistoryTarget)} of at {N(h.SmallStored)}", h.Large.Ratio!.Value, HistoryTarget);
            var one = postgres.Scaling[0].First;
            Target($"PostgreSQL: first cancel, 1 instance ≥ {Percent(PostgresFirstCancelTarget)} of bare transactions", one.Ratio!.Value, PostgresFirstCancelTarget);
            Target(
                $"PostgreSQL: first cancel, 2 instances ≥ {Percent(PostgresTwoInstancesTarget)} of 1 instance's rate",
                postgres.Scaling[1].First.RequestsPerSecond / one.RequestsPerSecond,
                PostgresTwoInstancesTarget);
            Latency("PostgreSQL, 1 instance: p99 at half the first-cancel rate", postgres.Scaling[0].Open!.Percentile(0.99));
        }

        if (patroni is not null)
        {
            Target($"Patroni (synchronous): first cancel, 1 instance ≥ {Percent(SynchronousFirstCancelTarget)} of its bare transactions", patroni.Synchronous[0].First.Ratio!.Value, SynchronousFirstCancelTarget);
        }

        foreach (var b in backend ?? [])
        {
            if (b.LatencyMs == 0)
            {
                Target($"Http core at 0 ms: reserve ≥ {Percent(BackendTarget)} of the embedded ledger", b.Reserve.Ratio!.Value, BackendTarget);
                Target($"Http core at 0 ms: first cancel ≥ {Percent(BackendTarget)} of the embedded ledger", b.Cancel.Ratio!.Value, BackendTarget);
            }

            var limit = b.CoreP99 + BackendP99MarginMs;
            Console.WriteLine($"| Http core at {b.LatencyMs} ms: reserve p99 at half load ≤ the core's own p99 + {N(BackendP99MarginMs)} ms ({N(limit, 1)} ms) | {N(b.OpenP99, 1)} ms | {(b.OpenP99 <= limit ? "yes" : "NO")} |");
        }

        var modes = new[] { plaintext, pgp }.OfType<ModeResults>().ToList();
        if (modes.Count > 0)
        {
            var p99 = modes.Max(m => m.Open.Percentile(0.99));
            var peak = modes.SelectMany(m => new[] { m.First, m.Replay, m.Mix, m.Echo }).Max(m => m.PeakRssBytes);
            Latency("p99 at half the maximum rate", p99);
            Console.WriteLine($"| peak RSS ≤ {Mb(PeakRssTarget)} | {Mb(peak)} | {(peak <= PeakRssTarget ? "yes" : "NO")} |");
        }
    }

    private static string Range(IReadOnlyCollection<double> values) => $"{N(values.Min())}–{N(values.Max())}";

    private static void Latency(string name, double p99) =>
        Console.WriteLine($"| {name} ≤ {N(P99TargetMs)} ms | {N(p99, 1)} ms | {(p99 <= P99TargetMs ? "yes" : "NO")} |");

    private static void Target(string name, double ratio, double target) =>
        Console.WriteLine($"| {name} | {Percent(ratio)} | {(ratio >= target ? "yes" : "NO")} |");

    private static void Row(string name, MessageSecurityMode mode, Measured m, string ceiling) =>
        Console.WriteLine(
            $"| {name} | {mode} | {N(m.RequestsPerSecond)} | {N(m.Percentile(0.5), 1)} ms | {N(m.Percentile(0.99), 1)} ms | {N(m.Percentile(0.999), 1)} ms " +
            $"| {N(m.ServerCpuMsPerRequest, 3)} ms | {Mb(m.PeakRssBytes)} | {Percent(m.Ratio!.Value)} of {ceiling} ({N(m.CeilingPerSecond!.Value)}/s) | {m.Failures} | {m.Verified - m.Wrong}/{m.Verified} |");
}
