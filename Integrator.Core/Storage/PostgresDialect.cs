using System.Data.Common;
using Npgsql;

namespace Integrator.Core.Storage;

public sealed class PostgresDialect : SqlDialect, IDisposable
{
    private const long MigrationLockKey = 0x696E7465677261; // "integra"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(string connectionString, TimeSpan lockTimeout)
    {
        // Every statement waits at most Storage:LockTimeout for a lock (a duplicate of a request in flight, a row
        // another transaction holds); set once per physical connection rather than per transaction.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c lock_timeout={(int)lockTimeout.TotalMilliseconds}".Trim();
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override StorageFault Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => StorageFault.DuplicateKey,
        PostgresException
        {
            SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        } => StorageFault.Conflict,
        // Connection exceptions, operator intervention (shutdown, cannot connect now), insufficient resources.
        PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal)
            || state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal) => StorageFault.Unavailable,
        NpgsqlException { IsTransient: true } => StorageFault.Unavailable,
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException or IOException } => StorageFault.Unavailable,
        _ => StorageFault.None,
    };

    public override string CreateMigrationJournalSql => """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        );
        """;

    public override Task LockForMigrationAsync(DbTx tx, CancellationToken ct) =>
        tx.ExecuteAsync("SELECT pg_advisory_xact_lock(@Key)", new { Key = MigrationLockKey }, ct);

    public void Dispose() => _dataSource.Dispose();
}
