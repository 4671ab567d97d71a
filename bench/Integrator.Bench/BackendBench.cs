using Integrator.Core.Security;

namespace Integrator.Bench;

/// <summary>
/// The account back end's cost (README "Benchmark"): reserve and first cancel with the Http provider against the
/// stand-in core (its own process) at 0 ms and at 20 ms of added latency, each round right after a round of the same
/// scenario on the embedded ledger, its ceiling; then latency at half the Http reserve rate, open loop.
/// </summary>
internal sealed class BackendBench(string work, bool quick, Func<string, BenchServer, Func<Task>, Task> warmUp)
{
    private const string AccountId = "InvisiCashUSA_USD";

    public async Task<IReadOnlyList<BackendResults>> RunAsync()
    {
        var perRound = quick ? 600 : 2000;
        var workload = new Workload(new PlaintextCodec(), AccountId);
        await using var embedded = await BenchServer.StartIntegratorAsync(await EnvironmentAsync("embedded", null));
        using var embeddedLoad = new LoadGenerator(embedded, "application/json");
        await warmUp("Integrator, embedded ledger", embedded, () => ReserveAndCancelAsync(embeddedLoad, workload, 500));

        var results = new List<BackendResults>();
        foreach (var latency in new[] { 0, 20 })
        {
            await using var core = await BenchServer.StartCoreAsync(latency);
            await using var http = await BenchServer.StartIntegratorAsync(await EnvironmentAsync($"http-{latency}", new Uri(core.BaseAddress, CoreServer.Prefix)));
            using var load = new LoadGenerator(http, "application/json");
            await warmUp($"Integrator, Http core at {latency} ms", http, () => ReserveAndCancelAsync(load, workload, 500));

            // Each round of the Http path right after one of the embedded path, its ceiling.
            var check = new Check(workload, "result", "SUCCESS");
            var reserve = await BenchRun.RoundsAsync(load, Route("reserveFunds"), workload.Reserves(Workload.NewIds("reserve", BenchRun.Rounds * perRound)), perRound, check, async () =>
                (await embeddedLoad.ClosedLoopAsync(Route("reserveFunds"), workload.Reserves(Workload.NewIds("base", perRound)), sampleEvery: int.MaxValue)).Run.RequestsPerSecond);
            var cancels = workload.Cancels(await BenchRun.ReserveAsync([load], workload, BenchRun.Rounds * perRound));
            var cancel = await BenchRun.RoundsAsync(load, Route("cancelFundsReservation"), cancels, perRound, check, async () =>
            {
                var baseline = workload.Cancels(await BenchRun.ReserveAsync([embeddedLoad], workload, perRound));
                return (await embeddedLoad.ClosedLoopAsync(Route("cancelFundsReservation"), baseline, sampleEvery: int.MaxValue)).Run.RequestsPerSecond;
            });

            // Latency at half the Http reserve rate, each round right after a round of the core alone placing holds at that
            // rate: the back end's own latency, which the target adds to.
            var rate = reserve.RequestsPerSecond / 2;
            var count = (int)(rate * (quick ? 2 : 4));
            using var coreLoad = new LoadGenerator(core, "application/json");
            var open = new List<LoadRun>();
            var alone = new List<LoadRun>();
            for (var round = 0; round < 3; round++)
            {
                alone.Add(await coreLoad.OpenLoopAsync(CoreServer.Prefix + "/holds", Holds(count), rate));
                open.Add(await load.OpenLoopAsync(Route("reserveFunds"), workload.Reserves(Workload.NewIds("open", count)), rate));
            }

            results.Add(new BackendResults(latency, reserve, cancel, open, alone, rate));
        }

        return results;
    }

    /// <summary>Holds placed straight at the core, as Integrator places them.</summary>
    private static byte[][] Holds(int count) =>
        [.. Workload.NewIds("core", count).Select(id => System.Text.Encoding.UTF8.GetBytes(
            $$"""{"holdId":"{{id}}","accountId":"{{BenchRun.BenchAccount}}","amountMicros":"1000000","currencyCode":"USD","expiresAt":"2030-01-01T00:00:00.000Z"}"""))];

    private static async Task ReserveAndCancelAsync(LoadGenerator load, Workload workload, int count)
    {
        var cancels = workload.Cancels(await BenchRun.ReserveAsync([load], workload, count));
        await load.ClosedLoopAsync(Route("cancelFundsReservation"), cancels, sampleEvery: int.MaxValue);
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync(string name, Uri? core)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var environment = await BenchRun.ServerEnvironmentAsync(folder, Path.Combine(folder, "integrator.db"));
        environment["MessageSecurity__Mode"] = "None";
        if (core is not null)
        {
            environment["Backend__Provider"] = "Http";
            environment["Backend__Http__BaseUrl"] = core.ToString();
        }

        return environment;
    }

    private static string Route(string method) => "/redirect-payment-token-v1/" + method;
}

/// <summary>
/// One core latency's figures: reserve and first cancel (ratios to the embedded path), open-loop reserve latency, and
/// the core's own latency at that rate.
/// </summary>
internal sealed record BackendResults(int LatencyMs, Measured Reserve, Measured Cancel, IReadOnlyList<LoadRun> Open, IReadOnlyList<LoadRun> CoreAlone, double OpenRate)
{
    public double OpenP99 => BenchRun.Median(Open.Select(r => r.Percentile(0.99)));

    public double CoreP99 => BenchRun.Median(CoreAlone.Select(r => r.Percentile(0.99)));
}
