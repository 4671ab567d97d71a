using System.Diagnostics;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL 15 cluster of a test's own (initdb in a temporary folder, trusted, on a free port of 127.0.0.1), so
/// that the test can crash and restart the database server itself. As root, PostgreSQL's commands run as the
/// postgres user, as <c>.ci/run</c> does.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string Binaries = "/usr/lib/postgresql/15/bin";

    private readonly string _folder;

    private PostgresCluster(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    public static async Task<PostgresCluster> StartAsync()
    {
        if (!File.Exists(Path.Combine(Binaries, "initdb")))
        {
            Assert.Ignore($"No PostgreSQL 15 at {Binaries} (apt-get install postgresql-15).");
        }

        var folder = Directory.CreateTempSubdirectory("pg-cluster-").FullName;
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres", folder]);
        }

        var cluster = new PostgresCluster(folder, FakeGoogle.FreePort());
        await cluster.PgAsync("initdb", ["-D", cluster.Data, "--auth=trust", "--username=postgres", "-E", "UTF8"]);
        await cluster.StartServerAsync();
        return cluster;
    }

    private string Data => Path.Combine(_folder, "data");

    /// <summary>Starts the server (again), waiting until it accepts connections.</summary>
    public Task StartServerAsync() =>
        PgAsync("pg_ctl", ["-D", Data, "-l", Path.Combine(_folder, "server.log"), "-w", "-o", $"-h 127.0.0.1 -p {Port} -k {_folder} -c max_connections=200", "start"]);

    /// <summary>Stops the server as a crash would: no checkpoint, every connection dropped; the restart recovers from the WAL.</summary>
    public Task CrashServerAsync() => PgAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_folder, recursive: true);
    }

    private Task PgAsync(string command, string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Binaries, command), .. args])
            : RunAsync(Path.Combine(Binaries, command), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
