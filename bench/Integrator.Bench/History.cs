using System.Globalization;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Idempotency;
using Integrator.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Integrator.Bench;

/// <summary>
/// A database that already holds <c>count</c> completed cancels (idempotency records and their journal entries, as 30
/// days of traffic leave them), so that replay cost can be compared across history sizes.
/// </summary>
internal static class History
{
    public const string Method = GspMethods.CancelFundsReservation;

    public static async Task<string> CreateAsync(string folder, int count, string accountId)
    {
        var path = Path.Combine(folder, $"history-{count}.db");
        var dialect = new SqliteDialect($"Data Source={path}", TimeSpan.FromSeconds(5), folder);
        await using var database = new Database(dialect);
        await new Migrator(database, Options.Create(new StorageOptions()), TimeProvider.System, NullLogger<Migrator>.Instance)
            .MigrateAsync(CancellationToken.None);

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var record = Command(connection, tx, """
            INSERT INTO idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at)
            VALUES ($a, $r, $m, $f, $b, $t)
            """);
        using var journal = Command(connection, tx, """
            INSERT INTO request_journal (call_id, received_at, method, payment_integrator_account_id, request_id, reserve_funds_request_id,
                                         outcome, request_json, http_status, response_body)
            VALUES ($c, $t, $m, $a, $r, $x, 'EXECUTED', $q, 200, $b)
            """);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            var request = Request(i, accountId);
            var body = Body(now - i);
            Set(record, ("$a", accountId), ("$r", request.RequestHeader.RequestId), ("$m", Method), ("$f", Fingerprint.Of(Method, request)), ("$b", body), ("$t", now - i));
            record.ExecuteNonQuery();
            Set(journal, ("$c", Guid.NewGuid().ToString("N")), ("$t", now - i), ("$m", Method), ("$a", accountId), ("$r", request.RequestHeader.RequestId),
                ("$x", request.ReserveFundsRequestId), ("$q", GspJson.Format(request)), ("$b", body));
            journal.ExecuteNonQuery();
        }

        tx.Commit();
        return path;
    }

    /// <summary>The same history in a migrated PostgreSQL database, written with COPY.</summary>
    public static async Task FillAsync(PostgresDialect dialect, int count, string accountId)
    {
        await using var connection = (Npgsql.NpgsqlConnection)dialect.CreateConnection();
        await connection.OpenAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var records = await connection.BeginBinaryImportAsync(
            "COPY idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var request = Request(i, accountId);
                await records.WriteRowAsync(default, accountId, request.RequestHeader.RequestId, Method, Fingerprint.Of(Method, request), Body(now - i), now - i);
            }

            await records.CompleteAsync();
        }

        await using var journal = await connection.BeginBinaryImportAsync("""
            COPY request_journal (call_id, received_at, method, payment_integrator_account_id, request_id, reserve_funds_request_id,
                                  outcome, request_json, http_status, response_body) FROM STDIN (FORMAT BINARY)
            """);
        for (var i = 0; i < count; i++)
        {
            var request = Request(i, accountId);
            await journal.WriteRowAsync(
                default, Guid.NewGuid().ToString("N"), now - i, Method, accountId, request.RequestHeader.RequestId, request.ReserveFundsRequestId,
                "EXECUTED", GspJson.Format(request), 200, Body(now - i));
        }

        await journal.CompleteAsync();
    }

    private static string Body(long timestamp) => $$"""{ "responseHeader": { "responseTimestamp": "{{timestamp}}" }, "result": "SUCCESS" }""";

    /// <summary>The n-th stored cancel, as Google would send it again.</summary>
    public static CancelFundsReservationRequest Request(int n, string accountId) => new()
    {
        RequestHeader = new RequestHeader
        {
            ProtocolVersion = new Integrator.Core.Gsp.V1.Version { Major = 1, Minor = 0, Revision = 0 },
            RequestId = "history-" + n.ToString("D7", CultureInfo.InvariantCulture),
            RequestTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        },
        PaymentIntegratorAccountId = accountId,
        ReserveFundsRequestId = "reservation-" + n.ToString("D7", CultureInfo.InvariantCulture),
    };

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    private static void Set(SqliteCommand command, params (string Name, object Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            if (command.Parameters.Contains(name))
            {
                command.Parameters[name].Value = value;
            }
            else
            {
                command.Parameters.AddWithValue(name, value);
            }
        }
    }

    public static byte[] Json(IMessage message) => System.Text.Encoding.UTF8.GetBytes(GspJson.Format(message));
}
