using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Integrator.Core.Storage;

public sealed class SqliteDialect : SqlDialect, IDisposable
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeSpan _lockTimeout;
    private readonly string _connectionString;
    private readonly string _onOpenSql;
    private readonly string _baseDirectory;

    /// <param name="baseDirectory">A relative Data Source is resolved against this folder (the content root).</param>
    public SqliteDialect(string connectionString, TimeSpan lockTimeout, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is not (":memory:" or "")
            && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(baseDirectory, builder.DataSource));
        }

        builder.ForeignKeys = true;
        builder.Pooling = true;
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(lockTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
        _baseDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory)) + Path.DirectorySeparatorChar;
        _lockTimeout = lockTimeout;
        // FULL: a 200 we answered survives power loss, not only a process crash. busy_timeout covers other
        // processes on the same file (in-process writers queue on the write gate instead). temp_store: the
        // statement journal of each write's savepoint stays in memory instead of a temp file made and deleted per write.
        _onOpenSql = $"PRAGMA busy_timeout = {(int)lockTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;";
    }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public string DataSource { get; }

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    /// <summary>
    /// A file's folder under the content root (the default <c>data/</c>) is created; any other folder must exist, so a
    /// mistyped path is named at once instead of created. A file that cannot be opened is a configuration problem,
    /// reported at once: nothing is gained by waiting for it, unlike a server database that is still starting.
    /// </summary>
    public override async Task PrepareAsync(CancellationToken ct)
    {
        if (Path.GetDirectoryName(DataSource) is { Length: > 0 } folder && !Directory.Exists(folder))
        {
            if (!(folder + Path.DirectorySeparatorChar).StartsWith(_baseDirectory, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Storage:ConnectionString: the SQLite database '{DataSource}' cannot be created: its folder does not exist.");
            }

            Directory.CreateDirectory(folder);
        }

        try
        {
            await using var connection = CreateConnection();
            await connection.OpenAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: ct));
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"Storage:ConnectionString: the SQLite database '{DataSource}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>One writer per file, an fsync per commit: concurrent writes share one.</summary>
    public override bool GroupCommits => true;

    internal override DbConnection KeepForWriter(DbConnection connection) => new PreparedStatements((SqliteConnection)connection);

    public override Task OnOpenedAsync(DbConnection connection, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(_onOpenSql, cancellationToken: ct));

    public override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken ct)
    {
        if (!await _writeGate.WaitAsync(_lockTimeout, ct))
        {
            throw new StorageBusyException($"No SQLite write slot within {_lockTimeout.TotalSeconds:0.###} s.");
        }

        return new GateRelease(_writeGate);
    }

    public override StorageFault Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey }
            => StorageFault.DuplicateKey,
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => StorageFault.Unavailable,
        // CANTOPEN, IOERR, FULL, READONLY, CORRUPT: the file cannot be used now.
        SqliteException { SqliteErrorCode: 14 or 10 or 13 or 8 or 11 } => StorageFault.Unavailable,
        _ => StorageFault.None,
    };

    public override string CreateMigrationJournalSql => """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        );
        """;

    public void Dispose() => _writeGate.Dispose();

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
