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
    private readonly Process _process;

    private BenchServer(Process? process, Uri baseAddress)
    {
        _process = process!;
        BaseAddress = baseAddress;
    }

    /// <summary>A server started elsewhere: load only, no CPU or memory figures.</summary>
    public static BenchServer External(Uri baseAddress) => new(null, baseAddress);

    public Uri BaseAddress { get; }

    public static async Task<BenchServer> StartIntegratorAsync(IDictionary<string, string> environment) =>
        await StartAsync("Integrator.Api.dll", [], environment, "/redirect-payment-token-v1/echo");

    /// <summary>The ceiling runs with the server's GC settings (ASP.NET Core's default, server GC), not the client's.</summary>
    public static async Task<BenchServer> StartCeilingAsync() =>
        await StartAsync("Integrator.Bench.dll", ["ceiling-server"], new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "1" }, CeilingServer.Path);

    /// <summary>Seconds of CPU (user + system) the process has used.</summary>
    public double CpuSeconds()
    {
        if (_process is null)
        {
            return 0;
        }

        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>Peak resident set since the last <see cref="ResetPeakRss"/>, in bytes.</summary>
    public long PeakRssBytes()
    {
        if (_process is null)
        {
            return 0;
        }

        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public void ResetPeakRss()
    {
        if (_process is not null)
        {
            File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
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
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
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
                throw new InvalidOperationException($"{dll} exited with {process.ExitCode}.");
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

        throw new TimeoutException($"{dll} did not start.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
