using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Integrator.Bench;

public enum Ceiling
{
    /// <summary>An empty ASP.NET Core endpoint on the same host, driven by the same client.</summary>
    Http,

    /// <summary>RSA-2048 private-key operations per second on every core, halved: a PGP call needs two.</summary>
    Crypto,

    /// <summary>Bare SQLite transactions with the row writes of a first cancel, one writer.</summary>
    Storage,
}

/// <summary>
/// The limits of this machine, measured all through the run: every scenario round is run right after a round of its
/// ceiling, so that both see the same machine (shared hardware drifts by tens of percent within minutes).
/// </summary>
internal sealed class Ceilings(LoadGenerator http, IReadOnlyList<byte[]> echoes, string folder) : IDisposable
{
    /// <summary>
    /// Row writes in the transaction of a first cancel: idempotency claim, reservation update, history insert, account
    /// update, outbox insert, idempotency completion, journal insert.
    /// </summary>
    public const int FirstCancelRowWrites = 7;

    private readonly RSA _rsa = RSA.Create(2048);
    private int _storageRounds;

    public List<LoadRun> HttpRounds { get; } = [];

    public List<double> CryptoRounds { get; } = [];

    public List<double> StorageRounds { get; } = [];

    /// <summary>One round of the ceiling; its rate per second.</summary>
    public async Task<double> MeasureAsync(Ceiling ceiling)
    {
        switch (ceiling)
        {
            case Ceiling.Http:
                var (run, _) = await http.ClosedLoopAsync(CeilingServer.Path, echoes, sampleEvery: int.MaxValue);
                HttpRounds.Add(run);
                return run.RequestsPerSecond;
            case Ceiling.Crypto:
                var calls = RsaPrivateOpsPerSecond(2000) / 2;
                CryptoRounds.Add(calls);
                return calls;
            default:
                var transactions = SqliteTransactions(1000);
                StorageRounds.Add(transactions);
                return transactions;
        }
    }

    public void Dispose() => _rsa.Dispose();

    /// <summary>RSA-2048 private-key operations per second through OpenSSL, on every core.</summary>
    private double RsaPrivateOpsPerSecond(int operations)
    {
        var digest = SHA384.HashData("ceiling"u8);
        return Measure.Median(1, operations, Environment.ProcessorCount, _ => _rsa.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)).OpsPerSecond;
    }

    /// <summary>
    /// Bare SQLite write transactions (WAL, synchronous=FULL, as the server runs) with the row writes of a first cancel,
    /// through prepared statements, one after another: SQLite has one writer per file.
    /// </summary>
    private double SqliteTransactions(int transactions)
    {
        var path = Path.Combine(folder, $"storage-ceiling-{_storageRounds++}.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute(connection, "CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL, body TEXT NULL)");
        Execute(connection, "INSERT INTO t (id, n) VALUES ('account', 0)");
        using var insert = Command(connection, "INSERT INTO t (id, n, body) VALUES ($id, 0, $body)", "$id", "$body");
        using var update = Command(connection, "UPDATE t SET n = n + 1, body = $body WHERE id = $id", "$id", "$body");
        var body = new string('x', 120);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < transactions; i++)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = update.Transaction = tx;
            Run(insert, $"k{i}", body);     // idempotency claim
            Run(update, $"r{i % 50}", body); // reservation (a row written before)
            Run(insert, $"e{i}", body);     // history
            Run(update, "account", body);   // account
            Run(insert, $"n{i}", body);     // outbox
            Run(update, $"k{i}", body);     // idempotency completion
            Run(insert, $"j{i}", body);     // journal
            tx.Commit();
        }

        var perSecond = transactions / Stopwatch.GetElapsedTime(started).TotalSeconds;
        connection.Close();
        SqliteConnection.ClearAllPools();
        File.Delete(path);
        return perSecond;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter(parameter, string.Empty));
        }

        return command;
    }

    private static void Run(SqliteCommand command, string id, string body)
    {
        command.Parameters[0].Value = id;
        command.Parameters[1].Value = body;
        command.ExecuteNonQuery();
    }
}
