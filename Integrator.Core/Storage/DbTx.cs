using System.Collections;
using System.Data.Common;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// One open connection with one explicit transaction, as <see cref="Database.WriteAsync{T}"/> hands it to a write's
/// work (with group commit, a savepoint of the writer's batch). Features never open one: only Storage does (writes, and
/// migrations, which run before any write). Disposing without <see cref="SqlDialect.CommitAsync"/> rolls back.
/// </summary>
public sealed class DbTx : IAsyncDisposable
{
    private readonly IDisposable? _writeGate;
    private readonly LaterStatements _later;
    private List<Action>? _afterCommit;

    internal DbTx(DbConnection connection, DbTransaction transaction, IDisposable? writeGate, bool combinesStatements)
    {
        Connection = connection;
        Transaction = transaction;
        _writeGate = writeGate;
        _later = new LaterStatements(combinesStatements);
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        await Connection.ExecuteAsync(await CommandAsync(sql, param, countsRows: true, ct));

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct) =>
        await Connection.QuerySingleOrDefaultAsync<T>(await CommandAsync(sql, param, countsRows: false, ct));

    public async Task<T> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await Connection.ExecuteScalarAsync<T>(await CommandAsync(sql, param, countsRows: false, ct)))!;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct) =>
        (await Connection.QueryAsync<T>(await CommandAsync(sql, param, countsRows: false, ct))).AsList();

    /// <summary>
    /// A statement whose result nothing reads (an INSERT or UPDATE without RETURNING, whose rows are not counted): it
    /// runs before the write's next statement, in the same command where the engine allows it, or when the work ends.
    /// Its failure is thrown by that next statement (or fails the write at its end), as a failure of the write.
    /// </summary>
    public void ExecuteLater(string sql, object? param) => _later.Add(sql, param);

    /// <summary>
    /// Runs <paramref name="action"/> once this write's changes are durable (never if they are rolled back): what must
    /// not happen before the commit, such as waking the job that sends a command just written.
    /// </summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    /// <summary>
    /// Sends the statements <see cref="ExecuteLater"/> holds, followed by <paramref name="trailing"/> (Storage's own: a
    /// savepoint) in the same command where the engine allows it. Storage calls it when a write's work ends, kept.
    /// </summary>
    internal async Task FlushAsync(string? trailing, CancellationToken ct)
    {
        if (_later.Combines && !_later.IsEmpty)
        {
            var (text, parameters) = _later.Before(trailing, null, countsRows: false);
            await Connection.ExecuteAsync(Command(text, parameters, ct));
            return;
        }

        await RunLaterAsync(ct);
        if (trailing is not null)
        {
            await Connection.ExecuteAsync(Command(trailing, null, ct));
        }
    }

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

    /// <summary>
    /// The command for <paramref name="sql"/>, with the statements held for later before it: in its text where the
    /// engine takes several statements in one command, else run one by one first. Dapper runs a command once per
    /// element of a list parameter: the held statements run on their own before such a one.
    /// </summary>
    private async ValueTask<CommandDefinition> CommandAsync(string sql, object? param, bool countsRows, CancellationToken ct)
    {
        if (!_later.IsEmpty)
        {
            if (_later.Combines && param is not IEnumerable)
            {
                var (text, parameters) = _later.Before(sql, param, countsRows);
                return Command(text, parameters, ct);
            }

            await RunLaterAsync(ct);
        }

        return Command(sql, param, ct);
    }

    private async Task RunLaterAsync(CancellationToken ct)
    {
        if (_later.IsEmpty)
        {
            return;
        }

        foreach (var (sql, param) in _later.Take())
        {
            await Connection.ExecuteAsync(Command(sql, param, ct));
        }
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken ct) =>
        new(sql, param, Transaction, cancellationToken: ct);
}
