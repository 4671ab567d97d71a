using System.Data.Common;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// The one way to the database. Reads outside a transaction use the query helpers; every write, on every engine, is
/// <see cref="WriteAsync"/>: one explicit, short, cancellable transaction whose value comes back once its changes are
/// durable. A change and its audit or journal row are written in the same transaction, so nothing is ordered by hand.
/// On SQLite and PostgreSQL, concurrent writes share a commit (<see cref="GroupCommitWriter"/>); on SQL Server each
/// commits on its own.
/// </summary>
/// <param name="maxQueuedWrites">Group commit: writes that may wait for the writer; one more fails at once (503).</param>
/// <param name="maxBatch">Group commit: writes sharing one commit at most.</param>
public sealed class Database(SqlDialect dialect, int maxQueuedWrites = 4096, int maxBatch = 32) : IAsyncDisposable
{
    /// <summary>How many times a write the engine aborted for concurrency (<see cref="SqlDialect.IsRetryable"/>) is run at most.</summary>
    public const int AttemptsOnConflict = 3;

    /// <summary>Set while a write's work runs (on the writer's flow and every call it makes), to refuse a write inside it.</summary>
    private static readonly AsyncLocal<bool> InsideWrite = new();

    private GroupCommitWriter? _groupCommit;

    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Dapper maps DateTimeOffset parameters itself (as text) unless its own mapping is removed first; then the
        // handler converts both ways, and a DateTimeOffset flows from the code to an epoch-milliseconds column and back.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
        foreach (var state in typeof(Database).Assembly.GetTypes().Where(t => t.IsValueType
            && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWireValue<>))))
        {
            SqlMapper.AddTypeHandler(state, (SqlMapper.ITypeHandler)Activator.CreateInstance(typeof(WireValueHandler<>).MakeGenericType(state))!);
        }
    }

    public SqlDialect Dialect => dialect;

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            await dialect.OnOpenedAsync(connection, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, param, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, param, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction; its value is returned once its changes are durable, or at
    /// once if it rolls them back. A fault rolls everything back and is thrown to the caller.
    /// </summary>
    /// <exception cref="InvalidOperationException">Started inside another write's work: it would wait for the outer
    /// write's transaction, which waits for it (on SQLite, forever). Read before the write, or do the work in the outer
    /// write's transaction.</exception>
    public async Task<T> WriteAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct)
    {
        if (InsideWrite.Value)
        {
            throw new InvalidOperationException(
                "A write was started inside another write: never start a write inside a write (docs/architecture.md, Storage). " +
                "Do it in the outer write's transaction instead.");
        }

        using var span = Telemetry.Source.StartActivity("db write", System.Diagnostics.ActivityKind.Client);
        span?.SetTag("db.system", dialect.Provider.ToString().ToLowerInvariant());
        return await (dialect.GroupCommits ? GroupCommit().WriteAsync(work, ct) : WriteAloneAsync(work, ct));
    }

    private GroupCommitWriter GroupCommit()
    {
        var writer = Volatile.Read(ref _groupCommit);
        if (writer is null)
        {
            var created = new GroupCommitWriter(dialect, maxQueuedWrites, maxBatch);
            writer = Interlocked.CompareExchange(ref _groupCommit, created, null) ?? created;
        }

        return writer;
    }

    /// <summary>Writes that need nothing back: every change in <paramref name="work"/> is kept.</summary>
    public Task WriteAsync(Func<DbTx, CancellationToken, Task> work, CancellationToken ct) =>
        WriteAsync(
            async (tx, token) =>
            {
                await work(tx, token);
                return Write.Commit(true);
            },
            ct);

    /// <summary>One statement in a write of its own; returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        WriteAsync(async (tx, token) => Write.Commit(await tx.ExecuteAsync(sql, param, token)), ct);

    public StorageFault Classify(Exception exception) =>
        exception is CommitNotDurableException or StorageBusyException ? StorageFault.Unavailable : dialect.Classify(exception);

    /// <summary>
    /// Before an answer is served from what the database holds (a replay), makes sure it is durable: on PostgreSQL
    /// with synchronous replication, a read of the primary may see a commit that was kept only locally (its wait for the
    /// standby cancelled) and that a failover would lose. A write committed after the read proves everything before it
    /// replicated (docs/architecture.md, Storage). Elsewhere, nothing to do.
    /// </summary>
    public async Task EnsureDurableAsync(CancellationToken ct)
    {
        if (dialect.DurabilityBarrierSql is { } barrier)
        {
            var onPrimary = await WriteAsync(async (tx, token) => Write.Commit(await tx.ExecuteScalarAsync<bool>(barrier, null, token)), ct);
            if (!onPrimary)
            {
                throw new CommitNotDurableException("The database answered from a standby, which cannot prove what it holds is durable.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_groupCommit is { } writer)
        {
            await writer.DisposeAsync();
        }
    }

    /// <summary>
    /// A transaction outside the group commit: migrations, which run before any write, and SQL Server's writes.
    /// </summary>
    internal async Task<DbTx> BeginAsync(CancellationToken ct)
    {
        var gate = await dialect.EnterWriteAsync(ct);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            var tx = new DbTx(connection, transaction, gate, dialect.CombinesStatements);
            await dialect.OnTransactionStartedAsync(tx, ct);
            return tx;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            gate?.Dispose();
            throw;
        }
    }

    /// <summary>Runs a write's work, marked as inside a write for everything it calls.</summary>
    internal static async Task<WriteResult<T>> RunWorkAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, DbTx tx, CancellationToken ct)
    {
        // Set inside this async method, the mark flows into the work's calls and ends with it.
        InsideWrite.Value = true;
        return await work(tx, ct);
    }

    /// <summary>A write in a transaction of its own, run again as a whole if the engine aborted it for concurrency.</summary>
    private async Task<T> WriteAloneAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var tx = await BeginAsync(ct);
            WriteResult<T> result;
            try
            {
                result = await RunWorkAsync(work, tx, ct);
                if (result.Commit)
                {
                    await tx.FlushAsync(null, ct);
                }
            }
            catch (Exception e) when (attempt < AttemptsOnConflict && dialect.IsRetryable(e))
            {
                continue;
            }

            if (result.Commit)
            {
                await dialect.CommitAsync(tx);
                tx.Committed();
            }

            return result.Value;
        }
    }
}
