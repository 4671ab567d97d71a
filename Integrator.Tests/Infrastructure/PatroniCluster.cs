using System.Diagnostics;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A highly available PostgreSQL on 127.0.0.1, from Debian's packages: etcd (its v2 API, with which a frozen and resumed
/// leader does not take the role back), and three PostgreSQL 15 nodes under Patroni in synchronous mode, strict (a commit
/// waits for a synchronous standby; with none, it waits). Reached through a multi-host connection string that finds the
/// primary (<c>Target Session Attributes=read-write</c>) or through HAProxy, which routes to the node whose Patroni says
/// <c>/primary</c>. A test can break it: kill a node's PostgreSQL or the whole node, freeze it and thaw it, take the
/// synchronous standby away, cancel the commits that wait for it. As root, Patroni and PostgreSQL run as postgres.
/// The benchmark compiles this file too (bench/Integrator.Bench), so it depends on nothing of the test framework.
/// </summary>
public sealed class PatroniCluster : IAsyncDisposable
{
    public const string Database = "integrator";
    private const string Binaries = "/usr/lib/postgresql/15/bin";

    private readonly string _folder;
    private readonly int _etcdPort;
    private readonly List<Process> _processes = [];
    private int? _haproxyPort;

    private PatroniCluster(string folder, int etcdPort, IReadOnlyList<Node> nodes)
    {
        _folder = folder;
        _etcdPort = etcdPort;
        Nodes = nodes;
    }

    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Every node, the client finding the primary: how a deployment without a proxy connects.</summary>
    public string ConnectionString =>
        $"Host={string.Join(',', Nodes.Select(n => $"127.0.0.1:{n.PgPort}"))};Target Session Attributes=read-write;Username=postgres;Password=postgres;"
        + $"Database={Database};Timeout=3;Command Timeout=10;Host Recheck Seconds=1";

    /// <summary>Every node, on the <c>postgres</c> database: for creating databases.</summary>
    public string AdminConnectionString => ConnectionString.Replace($"Database={Database}", "Database=postgres", StringComparison.Ordinal);

    /// <summary>Through HAProxy (after <see cref="StartHaproxyAsync"/>): one address, the proxy finding the primary.</summary>
    public string HaproxyConnectionString =>
        $"Host=127.0.0.1;Port={_haproxyPort ?? throw new InvalidOperationException("HAProxy is not started.")};Username=postgres;Password=postgres;"
        + $"Database={Database};Timeout=3;Command Timeout=10";

    /// <summary>What is missing from this machine to run a cluster (and the Debian packages that bring it), or null.</summary>
    public static string? Missing()
    {
        var missing = new[] { ("/usr/bin/patroni", "patroni"), ("/usr/bin/etcd", "etcd-server"), (Path.Combine(Binaries, "initdb"), "postgresql-15"), ("/usr/sbin/haproxy", "haproxy") }
            .Where(t => !File.Exists(t.Item1)).ToList();
        return missing.Count == 0 ? null
            : $"{string.Join(", ", missing.Select(t => t.Item1))} missing (apt-get install {string.Join(' ', missing.Select(t => t.Item2))}): a Patroni cluster needs them.";
    }

    public static async Task<PatroniCluster> StartAsync()
    {
        if (Missing() is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        var folder = Directory.CreateTempSubdirectory("patroni-").FullName;
        await RunAsync("chmod", ["755", folder]);
        var nodes = Enumerable.Range(1, 3).Select(i => new Node($"n{i}", FreePort(), FreePort(), Path.Combine(folder, $"n{i}"))).ToList();
        var cluster = new PatroniCluster(folder, FreePort(), nodes);
        try
        {
            await cluster.StartEtcdAsync();
            foreach (var node in nodes)
            {
                Directory.CreateDirectory(node.Folder);
                await File.WriteAllTextAsync(node.Config, cluster.Config(node));
                await OwnAsPostgresAsync("chown", ["-R", "postgres", node.Folder]);
                await RunAsync("chmod", ["700", node.Folder]);
                cluster.StartPatroni(node);
            }

            await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(90));
            await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
            await connection.ExecuteAsync($"CREATE DATABASE {Database}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>HAProxy on a free port, sending connections to the node whose Patroni answers 200 on <c>/primary</c>.</summary>
    public async Task StartHaproxyAsync()
    {
        _haproxyPort = FreePort();
        var config = Path.Combine(_folder, "haproxy.cfg");
        var servers = string.Join('\n', Nodes.Select(n => $"    server {n.Name} 127.0.0.1:{n.PgPort} check port {n.RestPort}"));
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 500
            defaults
                mode tcp
                timeout connect 3s
                timeout client 60s
                timeout server 60s
            listen primary
                bind 127.0.0.1:{_haproxyPort}
                option httpchk GET /primary
                http-check expect status 200
                default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
            {servers}

            """);
        var log = Path.Combine(_folder, "haproxy.log");
        _processes.Add(Start("/usr/sbin/haproxy", ["-f", config, "-db"], log));
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", _haproxyPort.Value);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException("HAProxy did not start: " + await File.ReadAllTextAsync(log));
    }

    /// <summary>The node Patroni names leader now, waiting for one (after a failover, until a new one is elected).</summary>
    public async Task<Node> LeaderAsync(TimeSpan? within = null)
    {
        var members = await WaitForAsync(m => m.Any(x => x.Role == "leader" && x.State == "running"), within ?? TimeSpan.FromSeconds(60));
        var name = members.First(m => m.Role == "leader").Name;
        return Nodes.Single(n => n.Name == name);
    }

    /// <summary>Waits until there is a running leader and a streaming synchronous standby.</summary>
    public Task WaitHealthyAsync(TimeSpan within) =>
        WaitForAsync(m => m.Any(x => x.Role == "leader" && x.State == "running") && m.Any(x => x.Role == "sync_standby" && x.State is "running" or "streaming"), within);

    public async Task<Node?> SyncStandbyAsync()
    {
        var members = await MembersAsync();
        return members?.FirstOrDefault(m => m.Role == "sync_standby") is { } sync ? Nodes.Single(n => n.Name == sync.Name) : null;
    }

    /// <summary>
    /// SIGKILL of a node's PostgreSQL, the postmaster and every backend at once (so that nothing it has received but not
    /// written survives, even while it is frozen): Patroni, alive, restarts it or lets another node take over.
    /// </summary>
    public async Task KillPostgresAsync(Node node)
    {
        if (Postmaster(node) is { } postmaster)
        {
            var pid = postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var process in (await ChildrenAsync(postmaster)).Prepend(pid))
            {
                await RunAsync("kill", ["-KILL", process], allowFailure: true);
            }
        }
    }

    /// <summary>The whole node dies (Patroni and PostgreSQL, SIGKILL): its lock runs out and another node is promoted.</summary>
    public async Task KillNodeAsync(Node node)
    {
        node.Patroni?.Kill(entireProcessTree: true);
        await KillPostgresAsync(node);
        foreach (var pid in await PidsAsync($"patroni {node.Config}"))
        {
            await RunAsync("kill", ["-KILL", pid]);
        }
    }

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) a node: its Patroni, its postmaster and every backend.</summary>
    public async Task SignalNodeAsync(Node node, string signal)
    {
        var pids = (await PidsAsync($"patroni {node.Config}")).ToList();
        if (Postmaster(node) is { } postmaster)
        {
            pids.Add(postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture));
            pids.AddRange(await ChildrenAsync(postmaster));
        }

        foreach (var pid in pids)
        {
            await RunAsync("kill", [$"-{signal}", pid], allowFailure: true);
        }
    }

    /// <summary>Starts a node's Patroni again (after <see cref="KillNodeAsync"/>): it rejoins as a replica (pg_rewind).</summary>
    public void RestartNode(Node node) => StartPatroni(node);

    /// <summary>Cancels every backend of the leader that waits for the synchronous standby: their commits stay local.</summary>
    public async Task<int> CancelSyncWaitersAsync(Node leader)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={leader.PgPort};Username=postgres;Password=postgres;Database=postgres;Timeout=2;Pooling=false");
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep') c");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await SignalNodeAsync(node, "CONT");
            node.Patroni?.Kill(entireProcessTree: true);
            await KillPostgresAsync(node);
        }

        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }

        foreach (var pid in await PidsAsync(_folder))
        {
            await RunAsync("kill", ["-KILL", pid], allowFailure: true);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartEtcdAsync()
    {
        var data = Path.Combine(_folder, "etcd");
        Directory.CreateDirectory(data);
        await OwnAsPostgresAsync("chown", ["postgres", data]);
        var peer = FreePort();
        _processes.Add(StartAsPostgres(
            "/usr/bin/etcd",
            [
                "--name", "etcd1", "--data-dir", data,
                "--listen-client-urls", $"http://127.0.0.1:{_etcdPort}", "--advertise-client-urls", $"http://127.0.0.1:{_etcdPort}",
                "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                "--initial-cluster", $"etcd1=http://127.0.0.1:{peer}", "--enable-v2=true",
            ],
            Path.Combine(_folder, "etcd.log")));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var health = await client.GetAsync(new Uri($"http://127.0.0.1:{_etcdPort}/health"));
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException("etcd did not start: " + await File.ReadAllTextAsync(Path.Combine(_folder, "etcd.log")));
    }

    private void StartPatroni(Node node) =>
        node.Patroni = StartAsPostgres("/usr/bin/patroni", [node.Config], Path.Combine(node.Folder, "patroni.log"));

    // ttl 20 s is Patroni's minimum (loop_wait + 2 × retry_timeout ≤ ttl); a crashed primary is failed over at once.
    private string Config(Node node) => $"""
        scope: integrator-test
        namespace: /service/
        name: {node.Name}
        restapi:
          listen: 127.0.0.1:{node.RestPort}
          connect_address: 127.0.0.1:{node.RestPort}
        etcd:
          host: 127.0.0.1:{_etcdPort}
        bootstrap:
          dcs:
            ttl: 20
            loop_wait: 1
            retry_timeout: 5
            maximum_lag_on_failover: 1048576
            synchronous_mode: true
            synchronous_mode_strict: true
            primary_start_timeout: 0
            postgresql:
              use_pg_rewind: true
              use_slots: true
              parameters:
                wal_level: replica
                hot_standby: "on"
                max_wal_senders: 10
                max_replication_slots: 10
                wal_log_hints: "on"
                max_connections: 200
          initdb:
            - encoding: UTF8
          pg_hba:
            - host replication replicator 127.0.0.1/32 trust
            - host all all 127.0.0.1/32 trust
            - local all all trust
        postgresql:
          listen: 127.0.0.1:{node.PgPort}
          connect_address: 127.0.0.1:{node.PgPort}
          data_dir: {node.Data}
          bin_dir: {Binaries}
          pgpass: {Path.Combine(node.Folder, "pgpass")}
          authentication:
            replication:
              username: replicator
              password: replicator
            superuser:
              username: postgres
              password: postgres
            rewind:
              username: postgres
              password: postgres
          parameters:
            unix_socket_directories: {node.Folder}
        """;

    private async Task<List<Member>> WaitForAsync(Func<List<Member>, bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await MembersAsync() is { } members && condition(members))
            {
                return members;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Patroni cluster did not get there within {within}: {string.Join("; ", (await MembersAsync())?.Select(m => $"{m.Name} {m.Role} {m.State}") ?? ["no answer"])}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The cluster as any live node's Patroni sees it.</summary>
    private async Task<List<Member>?> MembersAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        foreach (var node in Nodes)
        {
            try
            {
                var cluster = JsonNode.Parse(await client.GetStringAsync(new Uri($"http://127.0.0.1:{node.RestPort}/cluster")));
                return [.. cluster!["members"]!.AsArray().Select(m => new Member(m!["name"]!.GetValue<string>(), m["role"]!.GetValue<string>(), m["state"]?.GetValue<string>() ?? ""))];
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // That node is down or frozen: ask the next.
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int? Postmaster(Node node)
    {
        var pidFile = Path.Combine(node.Data, "postmaster.pid");
        try
        {
            return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<IReadOnlyList<string>> PidsAsync(string pattern) => await OutputLinesAsync("pgrep", ["-f", pattern]);

    private static async Task<IReadOnlyList<string>> ChildrenAsync(int parent) =>
        await OutputLinesAsync("pgrep", ["-P", parent.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private static async Task<IReadOnlyList<string>> OutputLinesAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static Process StartAsPostgres(string file, string[] args, string log) =>
        Environment.UserName == "root" ? Start("runuser", ["-u", "postgres", "--", file, .. args], log) : Start(file, args, log);

    private static Process Start(string file, string[] args, string log)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec \"$0\" \"$@\" >> '{log}' 2>&1", file, .. args]) { UseShellExecute = false };
        return Process.Start(start)!;
    }

    private static Task OwnAsPostgresAsync(string file, string[] args) =>
        Environment.UserName == "root" ? RunAsync(file, args) : Task.CompletedTask;

    private static async Task RunAsync(string file, string[] args, bool allowFailure = false)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}");
        }
    }

    private sealed record Member(string Name, string Role, string State);

    /// <summary>One node: its PostgreSQL and Patroni REST ports, its folder (data, config, logs).</summary>
    public sealed class Node(string name, int pgPort, int restPort, string folder)
    {
        public string Name { get; } = name;

        public int PgPort { get; } = pgPort;

        public int RestPort { get; } = restPort;

        public string Folder { get; } = folder;

        public string Data => Path.Combine(Folder, "data");

        public string Config => Path.Combine(Folder, "patroni.yml");

        internal Process? Patroni { get; set; }

        public override string ToString() => Name;
    }
}
