using System.Diagnostics;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Integrator.Bench;

/// <summary>
/// One instance count's figures on PostgreSQL, each with the median of the ceiling rounds run right before its rounds;
/// with one instance, also the latency at half its first-cancel rate.
/// </summary>
internal sealed record ScalingResults(int Instances, Measured First, Measured Replay, HalfLoad? Open);

internal sealed record PostgresResults(IReadOnlyList<ScalingResults> Scaling, HistoryResults History);

/// <summary>
/// One instance on a single PostgreSQL, and 1, 2 and 3 instances on a Patroni cluster with a synchronous standby, each
/// with its ceiling.
/// </summary>
internal sealed record PatroniResults(ScalingResults Single, IReadOnlyList<ScalingResults> Synchronous);

/// <summary>
/// The production engine: first cancels and replays with 1, 2 and 3 server instances on one PostgreSQL database (the
/// load spread round-robin over them, as a load balancer would), each round right after a round of its ceiling — bare
/// transactions with the same row writes, from as many connections as the client keeps in flight — and the databases
/// of BenchRun's history measurement on PostgreSQL. Needs <c>INTEGRATOR_BENCH_POSTGRES</c>, a connection string
/// whose user may create databases (and a server with max_connections ≥ 200: 3 instances × 50 and the ceiling's 32);
/// each measurement gets a database of its own, dropped afterwards.
/// </summary>
internal sealed class PostgresBench(string adminConnectionString, string work, bool quick, Func<string, BenchServer, Func<Task>, Task> warmUp)
{
    private const string AccountId = "InvisiCashUSA_USD";

    private readonly List<string> _databases = [];

    /// <summary>First cancels and replays with 1, 2 and 3 instances, each on a database of its own.</summary>
    public async Task<IReadOnlyList<ScalingResults>> ScalingAsync()
    {
        var scaling = new List<ScalingResults>();
        foreach (var instances in new[] { 1, 2, 3 })
        {
            scaling.Add(await ScalingAsync(instances));
        }

        return scaling;
    }

    /// <summary>First cancels and replays with one instance.</summary>
    public Task<ScalingResults> OneInstanceAsync() => ScalingAsync(1);

    /// <summary>A migrated database holding <paramref name="stored"/> completed cancels (BenchRun's history), and its size.</summary>
    public async Task<(Dictionary<string, string> Environment, long Bytes)> HistoryDatabaseAsync(int stored)
    {
        var connectionString = await CreateDatabaseAsync($"history{stored}");
        await History.FillAsync(new PostgresDialect(connectionString, TimeSpan.FromSeconds(5)), stored, AccountId);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (await EnvironmentAsync(connectionString, $"history{stored}"), (long)(await size.ExecuteScalarAsync())!);
    }

    public async Task DropDatabasesAsync()
    {
        foreach (var database in _databases)
        {
            await ExecuteAsync(adminConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private async Task<ScalingResults> ScalingAsync(int instances)
    {
        var connectionString = await CreateDatabaseAsync($"scale{instances}");
        var servers = new List<(BenchServer Server, LoadGenerator Load)>();
        try
        {
            for (var i = 0; i < instances; i++)
            {
                var server = await BenchServer.StartIntegratorAsync(await EnvironmentAsync(connectionString, $"scale{instances}-{i}"));
                servers.Add((server, new LoadGenerator(server, "application/json")));
            }

            var loads = servers.Select(s => s.Load).ToList();
            var workload = new Workload(new PlaintextCodec(), AccountId);
            foreach (var (server, load) in servers)
            {
                await warmUp($"Integrator on PostgreSQL, {instances} instance(s)", server, async () =>
                {
                    var cancels = workload.Cancels(await BenchRun.ReserveAsync(loads, workload, 300));
                    await load.ClosedLoopAsync(Route, cancels, sampleEvery: int.MaxValue);
                    await load.ClosedLoopAsync(Route, cancels, sampleEvery: int.MaxValue);
                });
            }

            var perRound = quick ? 1000 : 3000;
            var check = new Check(workload, "result", "SUCCESS");
            var firstCancels = workload.Cancels(await BenchRun.ReserveAsync(loads, workload, BenchRun.Rounds * perRound));
            var first = await RoundsAsync(loads, firstCancels, perRound, check, () => CeilingAsync(connectionString, FirstCancel, perRound));
            var replays = Enumerable.Range(0, BenchRun.Rounds * perRound * 2).Select(i => firstCancels[i % firstCancels.Length]).ToList();
            var replay = await RoundsAsync(loads, replays, perRound * 2, check, () => CeilingAsync(connectionString, Replay, perRound * 2));
            var open = instances == 1 ? await BenchRun.HalfLoadAsync(loads[0], workload, first.RequestsPerSecond, quick) : null;
            return new ScalingResults(instances, first, replay, open);
        }
        finally
        {
            foreach (var (server, load) in servers)
            {
                load.Dispose();
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Each round: the ceiling's round, then the bodies split round-robin over the instances and sent to all at once;
    /// throughput counts every request over the slowest instance's time.
    /// </summary>
    private static async Task<Measured> RoundsAsync(
        IReadOnlyList<LoadGenerator> loads, IReadOnlyList<byte[]> bodies, int size, Check check, Func<Task<double>> ceiling)
    {
        var rounds = new RoundSet(check);
        for (var round = 0; round < BenchRun.Rounds; round++)
        {
            var rate = await ceiling();
            await rounds.RunSpreadAsync(loads, Route, bodies.Skip(round * size).Take(size).ToList(), rate);
        }

        return rounds.Summary();
    }

    // The rows a first cancel writes (claim, reservation, history, account, outbox, completion, journal) and a replay's
    // (its replay count), each in a transaction of its own.
    private static readonly string[] FirstCancel =
    [
        "INSERT INTO c (id, n, body) VALUES (@id || ':k', 0, @body)",
        "UPDATE c SET n = n + 1, body = @body WHERE id = 'r' || (abs(hashtext(@id)) % 50)::text",
        "INSERT INTO c (id, n, body) VALUES (@id || ':e', 0, @body)",
        "UPDATE c SET n = n + 1 WHERE id = 'account'",
        "INSERT INTO c (id, n, body) VALUES (@id || ':n', 0, @body)",
        "UPDATE c SET body = @body WHERE id = @id || ':k'",
        "INSERT INTO c (id, n, body) VALUES (@id || ':j', 0, @body)",
    ];

    private static readonly string[] Replay =
    [
        "INSERT INTO c (id, n, body) VALUES ('replay:' || (abs(hashtext(@id)) % 5000)::text, 1, @body) ON CONFLICT (id) DO UPDATE SET n = c.n + 1",
    ];

    /// <summary>Bare transactions of these statements, <see cref="LoadGenerator.Concurrency"/> at a time, on a table of their own.</summary>
    private static async Task<double> CeilingAsync(string connectionString, string[] statements, int transactions)
    {
        await ExecuteAsync(connectionString, """
            DROP TABLE IF EXISTS c;
            CREATE TABLE c (id TEXT NOT NULL PRIMARY KEY, n BIGINT NOT NULL, body TEXT NULL);
            INSERT INTO c (id, n) SELECT 'r' || g, 0 FROM generate_series(0, 49) g;
            INSERT INTO c (id, n) VALUES ('account', 0);
            """);
        await using var source = NpgsqlDataSource.Create(connectionString);
        var body = new string('x', 120);
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, LoadGenerator.Concurrency).Select(async _ =>
        {
            await using var connection = await source.OpenConnectionAsync();
            while (Interlocked.Increment(ref next) < transactions)
            {
                var id = Guid.NewGuid().ToString("N");
                await using var tx = await connection.BeginTransactionAsync();
                foreach (var sql in statements)
                {
                    await using var command = new NpgsqlCommand(sql, connection, tx);
                    command.Parameters.AddWithValue("id", id);
                    command.Parameters.AddWithValue("body", body);
                    await command.ExecuteNonQueryAsync();
                }

                await tx.CommitAsync();
            }
        }));
        return transactions / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task<string> CreateDatabaseAsync(string name)
    {
        var database = $"integrator_bench_{name}_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(adminConnectionString, $"CREATE DATABASE {database}");
        _databases.Add(database);
        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, MaxPoolSize = 50 }.ConnectionString;
        var dialect = new PostgresDialect(connectionString, TimeSpan.FromSeconds(5));
        await using var db = new Database(dialect);
        await new Migrator(db, Options.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString }), TimeProvider.System, NullLogger<Migrator>.Instance)
            .MigrateAsync(CancellationToken.None);
        return connectionString;
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync(string connectionString, string name)
    {
        var seed = Path.Combine(work, $"seed-{name}.json");
        await File.WriteAllTextAsync(seed, BenchRun.Seed);
        return new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = connectionString,
            ["Ledger__SeedFile"] = seed,
            ["Gsp__PaymentIntegratorAccountIds__0"] = AccountId,
            ["MessageSecurity__Mode"] = "None",
            ["Notifications__Enabled"] = "false",
        };
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private const string Route = "/redirect-payment-token-v1/cancelFundsReservation";
}
