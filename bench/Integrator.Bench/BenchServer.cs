using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Integrator.Bench;

/// <summary>
/// A server process on 127.0.0.1 (the Integrator under test, or the empty ceiling endpoint), and what it costs:
/// CPU time and peak resident memory, read from /proc.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private const double UserHz = 100; // clock ticks per second in /proc on Linux

    private readonly Process _process;
    private readonly Dictionary<string, long> _tieringTicks = [];

    private BenchServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<BenchServer> StartIntegratorAsync(IDictionary<string, string> environment) =>
        await StartAsync("Integrator.Api.dll", [], environment, "/redirect-payment-token-v1/echo");

    /// <summary>The ceiling runs with the server's GC settings (ASP.NET Core's default, server GC), not the client's.</summary>
    public static async Task<BenchServer> StartCeilingAsync() =>
        await StartAsync("Integrator.Bench.dll", ["ceiling-server"], new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "1" }, CeilingServer.Path);

    /// <summary>The stand-in core of the Http contract, answering <paramref name="latencyMs"/> late.</summary>
    public static async Task<BenchServer> StartCoreAsync(int latencyMs) =>
        await StartAsync("Integrator.Bench.dll", ["core-server", "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string>(), CoreServer.Prefix + "/accounts/probe");

    /// <summary>Seconds of CPU (user + system) the process has used.</summary>
    public double CpuSeconds()
    {
        return CpuTicks($"/proc/{_process.Id}/stat") / UserHz;
    }

    /// <summary>
    /// CPU seconds the runtime's tiered-compilation worker has spent re-compiling hot methods with optimisation.
    /// While it still works, the server is not in steady state. The worker thread may end and be replaced, so
    /// each thread's last reading is kept.
    /// </summary>
    public double TieringCpuSeconds()
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    _tieringTicks[task] = CpuTicks(Path.Combine(task, "stat"));
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading; its last reading stays counted.
            }
        }

        return _tieringTicks.Values.Sum() / UserHz;
    }

    /// <summary>Peak resident set since the last <see cref="ResetPeakRss"/>, in bytes.</summary>
    public long PeakRssBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public void ResetPeakRss()
    {
        File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task<BenchServer> StartAsync(string dll, string[] args, IDictionary<string, string> environment, string readyPath)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args.Concat(["--urls", $"http://127.0.0.1:{port}"]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
                Console.Error.WriteLine("server: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BenchServer(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // the last lines of stderr are read
                throw new BenchServerException($"{dll} exited with {process.ExitCode}: {string.Join(" ", errors)}");
            }

            try
            {
                using var probe = await client.PostAsync(readyPath, new StringContent("{}"));
                return server;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new BenchServerException($"{dll} did not start within 30 s.");
    }

    /// <summary>utime + stime of a process or thread, in clock ticks.</summary>
    private static long CpuTicks(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
