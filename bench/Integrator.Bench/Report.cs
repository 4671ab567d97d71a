using Integrator.Core.Security;
using static Integrator.Bench.Formats;

namespace Integrator.Bench;

/// <summary>Prints the benchmark as Markdown tables, every figure beside its ceiling.</summary>
internal sealed class Report
{
    public void Header()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        Console.WriteLine($"# Integrator benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores ({cpu}), .NET {Environment.Version}");
        Console.WriteLine($"Server: Integrator.Api (Release) as its own process on 127.0.0.1, SQLite file (WAL, synchronous=FULL), notifications not dispatched.");
        Console.WriteLine($"Client: this process, {LoadGenerator.Concurrency} keep-alive connections, bodies sealed before timing; throughput and CPU are medians of 3 rounds.");
    }

    public void Ceilings(Measured http, double crypto, (double PerSecond, double MicrosPerTransaction) storage)
    {
        Console.WriteLine("\n## Ceilings of this machine (same run)\n");
        Console.WriteLine("| ceiling | how | per second | cost |");
        Console.WriteLine("|---|---|---:|---:|");
        Console.WriteLine($"| HTTP | empty ASP.NET Core endpoint, same host and client | {N(http.RequestsPerSecond)} req/s | {N(http.ServerCpuMsPerRequest, 3)} ms CPU/req |");
        Console.WriteLine($"| crypto | RSA-2048 private ops/s through OpenSSL on every core ÷ 2 (decrypt + sign per call) | {N(crypto)} calls/s | |");
        Console.WriteLine($"| storage | bare SQLite transaction with the {Bench.Ceilings.FirstCancelRowWrites} row writes of a first cancel, one writer | {N(storage.PerSecond)} tx/s | {N(storage.MicrosPerTransaction)} µs/tx |");
    }

    public void Scenarios(ModeResults plaintext, ModeResults pgp, Measured http, double crypto, double storage)
    {
        Console.WriteLine("\n## Scenarios\n");
        Console.WriteLine("| scenario | security | req/s | p50 | p99 | p99.9 | server CPU/req | peak RSS | ratio to its ceiling | failed | answers verified |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var mode in new[] { plaintext, pgp })
        {
            var pgpMode = mode.Mode == MessageSecurityMode.Pgp;
            Row("(a) first cancel", mode.Mode, mode.First, pgpMode ? (crypto, "crypto") : (storage, "storage"));
            Row("(b) replay", mode.Mode, mode.Replay, pgpMode ? (crypto, "crypto") : (http.RequestsPerSecond, "HTTP"));
            Row("(c) 90% first / 10% replay", mode.Mode, mode.Mix, pgpMode ? (crypto, "crypto") : (storage, "storage"));
            Row("(d) echo", mode.Mode, mode.Echo, pgpMode ? (crypto, "crypto") : (http.RequestsPerSecond, "HTTP"));
        }

        Console.WriteLine("\n## Latency at half the maximum first-cancel rate (open loop: requests start on schedule)\n");
        Console.WriteLine("| security | rate | p50 | p99 | p99.9 | failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var mode in new[] { plaintext, pgp })
        {
            var open = Measured.Of(mode.Open);
            Console.WriteLine($"| {mode.Mode} | {N(mode.OpenRate)} req/s | {N(open.Percentile(0.5), 1)} ms | {N(open.Percentile(0.99), 1)} ms | {N(open.Percentile(0.999), 1)} ms | {open.Failures} |");
        }
    }

    public void History(HistoryResult small, HistoryResult large)
    {
        Console.WriteLine("\n## Replay cost against history (plaintext)\n");
        Console.WriteLine("| stored completed requests | database | replay req/s | p99 | ratio to the smaller history |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var history in new[] { small, large })
        {
            Console.WriteLine($"| {N(history.Stored)} | {Mb(history.DatabaseBytes)} | {N(history.Replay.RequestsPerSecond)} | {N(history.Replay.Percentile(0.99), 1)} ms | {Percent(history.Replay.RequestsPerSecond / small.Replay.RequestsPerSecond)} |");
        }
    }

    public void Targets(ModeResults plaintext, ModeResults pgp, Measured http, double crypto, double storage, HistoryResult small, HistoryResult large)
    {
        var peak = new[] { plaintext.First, plaintext.Replay, plaintext.Mix, plaintext.Echo, pgp.First, pgp.Replay, pgp.Mix, pgp.Echo }.Max(m => m.PeakRssBytes);
        var p99 = Math.Max(Measured.Of(plaintext.Open).Percentile(0.99), Measured.Of(pgp.Open).Percentile(0.99));
        Console.WriteLine("\n## Targets\n");
        Console.WriteLine("| target | figure | holds |");
        Console.WriteLine("|---|---:|:---:|");
        Target("PGP first cancel ≥ 60 % of the crypto ceiling", pgp.First.RequestsPerSecond / crypto, 0.60);
        Target("plaintext replay ≥ 40 % of the HTTP ceiling", plaintext.Replay.RequestsPerSecond / http.RequestsPerSecond, 0.40);
        Target("plaintext first cancel ≥ 50 % of the storage ceiling", plaintext.First.RequestsPerSecond / storage, 0.50);
        Target($"replay at {N(large.Stored)} stored ≥ 90 % of at {N(small.Stored)}", large.Replay.RequestsPerSecond / small.Replay.RequestsPerSecond, 0.90);
        Console.WriteLine($"| p99 at half the maximum rate ≤ 25 ms | {N(p99, 1)} ms | {(p99 <= 25 ? "yes" : "NO")} |");
        Console.WriteLine($"| peak RSS ≤ 300 MB | {Mb(peak)} | {(peak <= 300L * 1024 * 1024 ? "yes" : "NO")} |");
    }

    private static void Target(string name, double ratio, double target) =>
        Console.WriteLine($"| {name} | {Percent(ratio)} | {(ratio >= target ? "yes" : "NO")} |");

    private static void Row(string name, MessageSecurityMode mode, Measured m, (double Value, string Name) ceiling) =>
        Console.WriteLine(
            $"| {name} | {mode} | {N(m.RequestsPerSecond)} | {N(m.Percentile(0.5), 1)} ms | {N(m.Percentile(0.99), 1)} ms | {N(m.Percentile(0.999), 1)} ms " +
            $"| {N(m.ServerCpuMsPerRequest, 3)} ms | {Mb(m.PeakRssBytes)} | {Percent(m.RequestsPerSecond / ceiling.Value)} of {ceiling.Name} | {m.Failures} | {m.Verified - m.Wrong}/{m.Verified} |");
}
