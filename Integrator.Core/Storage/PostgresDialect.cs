using System.Data.Common;
using Dapper;
using Npgsql;

namespace Integrator.Core.Storage;

public sealed class PostgresDialect : SqlDialect, IDisposable
{
    private const long MigrationLockKey = 0x696E7465677261; // "integra"
    private const long BatchLockKey = 0x6261746368; // "batch"

    private readonly NpgsqlMultiHostDataSource _hosts;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(string connectionString, TimeSpan lockTimeout)
    {
        // Every statement waits at most Storage:LockTimeout for a lock (a duplicate of a request in flight, a row
        // another transaction holds); set once per physical connection rather than per transaction.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c lock_timeout={(int)lockTimeout.TotalMilliseconds}".Trim();
        // The same few dozen statements run all day: prepared once per connection, PostgreSQL parses and plans them once.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }

        // A connection back in the pool is not reset (Npgsql's reset is several statements, prepended to the next command
        // and run by PostgreSQL on every reuse): Integrator sets no session state beyond what the connection string does.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        // Only a primary is ever used, however it is reached (several hosts, a proxy, a DNS name that moves): every new
        // connection is checked, a standby's is refused, since what it holds may lag and nothing is decided on it
        // (README "High availability"). "primary" may be asked for instead of the default "read-write".
        var target = string.Equals(builder.TargetSessionAttributes, "primary", StringComparison.OrdinalIgnoreCase)
            ? TargetSessionAttributes.Primary
            : TargetSessionAttributes.ReadWrite;
        builder.TargetSessionAttributes = null;

        // Npgsql remembers a host that failed as offline for Host Recheck Seconds (10 by default), refusing connections
        // meanwhile: unless set, one host is tried again at once after a blip, several within a second of a failover.
        if (!given.ContainsKey("Host Recheck Seconds") && !given.ContainsKey("HostRecheckSeconds"))
        {
            builder.HostRecheckSeconds = builder.Host?.Contains(',', StringComparison.Ordinal) == true ? 1 : 0;
        }

        _hosts = new NpgsqlDataSourceBuilder(builder.ConnectionString).BuildMultiHost();
        _dataSource = _hosts.WithTargetSession(target);
    }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    /// <summary>A WAL flush per commit (and with a synchronous standby, its round trip): concurrent writes share one.</summary>
    public override bool GroupCommits => true;

    /// <summary>
    /// Npgsql sends a command's statements together and PostgreSQL skips the rest after a failure (one Sync at the end:
    /// https://www.npgsql.org/doc/performance.html, "Batching").
    /// </summary>
    public override bool CombinesStatements => true;

    /// <summary>
    /// The batches of every instance on this database take turns executing: a batch holds many writes' row locks until
    /// its commit, and two batches locking rows in different orders could deadlock. The turn (a session-level advisory
    /// lock) ends when the batch's statements are done, before its commit waits for the WAL flush (and the standby):
    /// the next batch runs while it does, and may only wait for rows of batches that are committing, which wait for
    /// nothing, so no cycle can form. The wait for a turn is bounded by lock_timeout (Storage:LockTimeout), after which
    /// the batch fails as a conflict.
    /// </summary>
    public override Task OnBatchStartedAsync(DbTx tx, CancellationToken ct) =>
        tx.ExecuteAsync("SELECT pg_advisory_lock(@BatchLockKey)", new { BatchLockKey }, ct);

    public override Task OnBatchCommittingAsync(DbTx tx) =>
        tx.ExecuteAsync("SELECT pg_advisory_unlock(@BatchLockKey)", new { BatchLockKey }, CancellationToken.None);

    /// <summary>
    /// A session-level lock outlives the transaction: the turn of a batch that failed is given back before the connection
    /// returns to the pool. If the connection is broken, Npgsql discards it, and PostgreSQL ends the turn with the session.
    /// </summary>
    internal override async Task OnWriterFailedAsync(DbConnection connection)
    {
        try
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock_all()");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Broken: see above.
        }
    }

    public override bool IsRetryable(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    public override StorageFault Classify(Exception exception)
    {
        switch (exception)
        {
            case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                return StorageFault.DuplicateKey;
            case PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }:
                return StorageFault.Conflict;
            case PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction }:
            case PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal)
                || state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal):
            case NpgsqlException and not PostgresException:
                // A node demoted by a failover (25006), connection exceptions, operator intervention (shutdown, cannot
                // connect now), insufficient resources, and Npgsql's own (no host answers, none is the primary, a broken
                // connection, a timeout): the database cannot be used now. The idle connections of the pool are likely
                // dead or on the old primary too: the pool is emptied, the next open finds the primary afresh.
                _hosts.Clear();
                return StorageFault.Unavailable;
            case PostgresException:
                return StorageFault.None;
            default:
                return StorageFault.None;
        }
    }

    /// <summary>
    /// Commits, watching for PostgreSQL's warning that the wait for the synchronous standby was cancelled (by a cancel
    /// request, a statement timeout, or an operator): the commit then exists only on this node, and a failover can
    /// lose it. That commit is reported as not durable instead of succeeding.
    /// </summary>
    public override async Task CommitAsync(DbTx tx)
    {
        var connection = (NpgsqlConnection)tx.Connection;
        string? localOnly = null;
        NoticeEventHandler onNotice = (_, e) =>
        {
            if (e.Notice.MessageText.Contains("synchronous replication", StringComparison.Ordinal)
                || e.Notice.Detail?.Contains("committed locally", StringComparison.Ordinal) == true)
            {
                localOnly = e.Notice.MessageText;
            }
        };
        connection.Notice += onNotice;
        try
        {
            await tx.Transaction.CommitAsync(CancellationToken.None);
        }
        finally
        {
            connection.Notice -= onNotice;
        }

        if (localOnly is not null)
        {
            throw new CommitNotDurableException($"PostgreSQL kept the commit only locally: {localOnly}");
        }
    }

    /// <summary>
    /// With a synchronous standby, a write to the WAL in a transaction of its own (a transactional logical message, which
    /// needs no table and no privilege), so that its commit waits for the standby and with it everything committed
    /// before; a transaction id alone would not (a commit that wrote no WAL does not wait). Without a synchronous standby,
    /// nothing to wait for. A node in recovery (a standby, or a primary demoted under a pooled connection) proves nothing.
    /// </summary>
    public override string DurabilityBarrierSql => """
        SELECT CASE WHEN pg_is_in_recovery() THEN FALSE
                    WHEN current_setting('synchronous_standby_names') <> '' THEN pg_logical_emit_message(TRUE, 'integrator', 'durability barrier') IS NOT NULL
                    ELSE TRUE END
        """;

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

    public void Dispose() => _hosts.Dispose();
}
