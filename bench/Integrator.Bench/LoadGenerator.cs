using System.Diagnostics;
using System.Net.Http.Headers;

namespace Integrator.Bench;

/// <summary>What one load run measured, on the client (throughput, latency) and on the server (CPU, memory).</summary>
internal sealed record LoadRun(int Requests, double Seconds, double[] LatenciesMs, int Failures, double ServerCpuMsPerRequest, long PeakRssBytes)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double Percentile(double p) => Percentiles.Of(LatenciesMs, p);
}

/// <summary>
/// Drives a server over HTTP/1.1 keep-alive connections with prepared bodies, each sent once, so every run is bounded
/// and stops by itself. Closed loop: <c>concurrency</c> requests always in flight (maximum throughput). Open loop:
/// requests start on a fixed schedule whatever the answers, and latency counts from the scheduled start (no
/// coordinated omission).
/// </summary>
internal sealed class LoadGenerator(BenchServer server, string contentType) : IDisposable
{
    public const int Concurrency = 32;

    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly MediaTypeHeaderValue _contentType = MediaTypeHeaderValue.Parse(contentType);

    /// <summary>Sends every body (in order, <see cref="Concurrency"/> at a time); keeps the answers of every sampled index.</summary>
    public async Task<(LoadRun Run, Dictionary<int, byte[]> Samples)> ClosedLoopAsync(string path, IReadOnlyList<byte[]> bodies, int sampleEvery = 100)
    {
        var latencies = new double[bodies.Count];
        var samples = new Dictionary<int, byte[]>();
        var failures = 0;
        var next = -1;
        var (cpuBefore, started) = Begin();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var sent = Stopwatch.GetTimestamp();
                var (ok, body) = await SendAsync(path, bodies[i], keep: i % sampleEvery == 0);
                latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                Record(i, ok, body, samples, ref failures);
            }
        }));
        return (End(bodies.Count, latencies, failures, cpuBefore, started), samples);
    }

    /// <summary>Starts the bodies at <paramref name="perSecond"/>, on schedule, however slow the answers are.</summary>
    public async Task<LoadRun> OpenLoopAsync(string path, IReadOnlyList<byte[]> bodies, double perSecond)
    {
        var latencies = new double[bodies.Count];
        var samples = new Dictionary<int, byte[]>();
        var failures = 0;
        var (cpuBefore, started) = Begin();
        var inFlight = new List<Task>(bodies.Count);
        var ticksPerRequest = Stopwatch.Frequency / perSecond;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var next = 0;
        while (next < bodies.Count)
        {
            // Start every request that is due by now, then sleep to the next millisecond: no spinning, so the client
            // leaves the cores to the server; latency still counts from each request's scheduled start.
            var now = Stopwatch.GetTimestamp();
            for (; next < bodies.Count && started + (long)(next * ticksPerRequest) <= now; next++)
            {
                var index = next;
                var scheduled = started + (long)(index * ticksPerRequest);
                inFlight.Add(SendOnScheduleAsync(index, scheduled));
            }

            await tick.WaitForNextTickAsync();
        }

        async Task SendOnScheduleAsync(int index, long scheduled)
        {
            var (ok, body) = await SendAsync(path, bodies[index], keep: false);
            latencies[index] = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
            Record(index, ok, body, samples, ref failures);
        }

        await Task.WhenAll(inFlight);
        return End(bodies.Count, latencies, failures, cpuBefore, started);
    }

    public void Dispose() => _client.Dispose();

    private (double Cpu, long Started) Begin()
    {
        // The client's own garbage is collected before timing, not in the middle of it.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        server.ResetPeakRss();
        return (server.CpuSeconds(), Stopwatch.GetTimestamp());
    }

    private LoadRun End(int count, double[] latencies, int failures, double cpuBefore, long started)
    {
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = server.CpuSeconds() - cpuBefore;
        return new LoadRun(count, seconds, latencies, failures, cpu * 1000 / count, server.PeakRssBytes());
    }

    private async Task<(bool Ok, byte[]? Body)> SendAsync(string path, byte[] body, bool keep)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = _contentType;
        try
        {
            using var response = await _client.PostAsync(path, content);
            var answer = await response.Content.ReadAsByteArrayAsync();
            return ((int)response.StatusCode == 200, keep ? answer : null);
        }
        catch (HttpRequestException)
        {
            return (false, null);
        }
    }

    private static void Record(int index, bool ok, byte[]? body, Dictionary<int, byte[]> samples, ref int failures)
    {
        if (!ok)
        {
            Interlocked.Increment(ref failures);
        }

        if (body is not null)
        {
            lock (samples)
            {
                samples[index] = body;
            }
        }
    }
}
