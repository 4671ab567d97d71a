using System.Data.Common;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// Opens connections and transactions for the configured engine. Reads outside a transaction use the helpers here;
/// every write goes through <see cref="BeginAsync"/> so that it is explicit, short and cancellable.
/// </summary>
public sealed class Database(SqlDialect dialect)
{
    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
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

    public async Task<DbTx> BeginAsync(CancellationToken ct)
    {
        var gate = await dialect.EnterWriteAsync(ct);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            var tx = new DbTx(connection, transaction, gate);
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
    /// once if it rolls them back. On SQLite, concurrent writes share a commit (group commit).
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct) =>
        dialect.WriteAsync(this, work, ct);

    /// <summary>One statement in its own short transaction.</summary>
    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct)
    {
        await using var tx = await BeginAsync(ct);
        var rows = await tx.ExecuteAsync(sql, param, ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    public StorageFault Classify(Exception exception) => dialect.Classify(exception);
}
