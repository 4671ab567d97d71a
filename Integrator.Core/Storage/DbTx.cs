using System.Data.Common;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// One open connection with one explicit transaction, as <see cref="Database.WriteAsync{T}"/> hands it to a write's
/// work (on SQLite, a savepoint of the writer's batch). Features never open one: only Storage does (writes, and
/// migrations, which run before any write). Disposing without <see cref="SqlDialect.CommitAsync"/> rolls back.
/// </summary>
public sealed class DbTx : IAsyncDisposable
{
    private readonly IDisposable? _writeGate;
    private List<Action>? _afterCommit;

    internal DbTx(DbConnection connection, DbTransaction transaction, IDisposable? writeGate)
    {
        Connection = connection;
        Transaction = transaction;
        _writeGate = writeGate;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        Connection.ExecuteAsync(Command(sql, param, ct));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct) =>
        Connection.QuerySingleOrDefaultAsync<T>(Command(sql, param, ct));

    public Task<T> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken ct) =>
        Connection.ExecuteScalarAsync<T>(Command(sql, param, ct))!;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await Connection.QueryAsync<T>(Command(sql, param, ct))).AsList();

    /// <summary>
    /// Runs <paramref name="action"/> once this write's changes are durable (never if they are rolled back): what must
    /// not happen before the commit, such as waking the job that sends a command just written.
    /// </summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    /// <summary>Runs the actions <see cref="AfterCommit"/> collected (Storage calls it after the commit).</summary>
    internal void Committed()
    {
        foreach (var action in _afterCommit ?? [])
        {
            action();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            _writeGate?.Dispose();
        }
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken ct) =>
        new(sql, param, Transaction, cancellationToken: ct);
}
