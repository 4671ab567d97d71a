using System.Diagnostics;

namespace Integrator.Bench;

/// <summary>Medians over repeated rounds, of wall time and of this process's CPU time.</summary>
internal static class Measure
{
    public sealed record Round(double OpsPerSecond, double CpuMicrosPerOp);

    /// <summary>Runs <paramref name="operations"/> operations on <paramref name="threads"/> threads, <paramref name="rounds"/> times.</summary>
    public static Round Median(int rounds, int operations, int threads, Action<int> operation)
    {
        var results = new List<Round>();
        for (var round = 0; round < rounds; round++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var next = -1;
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < operations)
                {
                    operation(i);
                }
            })).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            wall.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            results.Add(new Round(operations / wall.Elapsed.TotalSeconds, cpu.TotalMicroseconds / operations));
        }

        return new Round(
            results.Select(r => r.OpsPerSecond).Order().ElementAt(rounds / 2),
            results.Select(r => r.CpuMicrosPerOp).Order().ElementAt(rounds / 2));
    }
}
