using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Integrator.Bench;

/// <summary>The limits of this machine, measured in the same run as the scenarios they bound.</summary>
internal static class Ceilings
{
    /// <summary>
    /// Row writes in the transaction of a first cancel: idempotency claim, reservation update, history insert, account
    /// update, outbox insert, idempotency completion, journal insert.
    /// </summary>
    public const int FirstCancelRowWrites = 7;

    /// <summary>RSA-2048 private-key operations per second through OpenSSL, on every core.</summary>
    public static double RsaPrivateOpsPerSecond(int rounds)
    {
        using var rsa = RSA.Create(2048);
        var digest = SHA384.HashData("ceiling"u8);
        return Measure.Median(rounds, 8000, Environment.ProcessorCount, _ => rsa.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)).OpsPerSecond;
    }

    /// <summary>
    /// Bare SQLite write transactions (WAL, synchronous=FULL, as the server runs) with the row writes of a first cancel,
    /// one after another: SQLite has one writer per file.
    /// </summary>
    public static (double PerSecond, double MicrosPerTransaction) SqliteTransactions(string folder, int transactions, int rounds)
    {
        var results = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var path = Path.Combine(folder, $"storage-ceiling-{round}.db");
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

            results.Add(transactions / Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var median = results.Order().ElementAt(rounds / 2);
        return (median, 1_000_000 / median);
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
