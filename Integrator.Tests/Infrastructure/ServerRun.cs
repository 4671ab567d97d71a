using System.Diagnostics;
using System.Text;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// The server as an operator starts it, run to its end or until it listens: <c>dotnet Integrator.Api.dll</c> from the
/// test output (where its appsettings files are), or <c>dotnet run --no-build --project Integrator.Api</c> from the
/// repository (with its launch profile). Only the given environment variables are Integrator's; nothing is inherited
/// from a test's own environment that could name one.
/// </summary>
public sealed class ServerRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServerRun(ProcessStartInfo start)
    {
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    public int ExitCode => _process.ExitCode;

    public static string Repository
    {
        get
        {
            var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Integrator.sln")))
            {
                folder = folder.Parent;
            }

            return folder?.FullName ?? throw new InvalidOperationException("not inside the repository");
        }
    }

    /// <summary><c>dotnet Integrator.Api.dll ARGS</c> in <paramref name="workingDirectory"/> (the test output by default).</summary>
    public static ServerRun Dll(IReadOnlyDictionary<string, string?> environment, string[]? args = null, string? workingDirectory = null) =>
        new(Start(["exec", Path.Combine(TestContext.CurrentContext.TestDirectory, "Integrator.Api.dll"), .. args ?? []], environment, workingDirectory ?? TestContext.CurrentContext.TestDirectory));

    /// <summary><c>dotnet run --no-build --project Integrator.Api -- ARGS</c>, as README says.</summary>
    public static ServerRun DotnetRun(IReadOnlyDictionary<string, string?> environment, string[]? args = null) =>
        new(Start(["run", "--no-build", "--project", Path.Combine(Repository, "Integrator.Api"), "--", .. args ?? []], environment, Repository));

    /// <summary>Waits for the process to end by itself (a refused start); false if it is still running then.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until the log says it listens (or it exits).</summary>
    public async Task<bool> ListensWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (Stdout.Contains("Now listening on", StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
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

    private static ProcessStartInfo Start(string[] args, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}
