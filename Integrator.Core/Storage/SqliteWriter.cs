using System.Data.Common;
using System.Threading.Channels;

namespace Integrator.Core.Storage;

/// <summary>
/// Group commit for SQLite, which has one writer per file and pays an fsync per commit. Writes queued while one batch
/// runs become the next batch: one transaction, each write in a savepoint of its own (an error or a refusal rolls back
/// only that write), one commit and one fsync for all. A write's caller is answered only after the commit that
/// made it durable; if that commit fails, every write in it fails and nothing of them remains.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 32;

    private readonly SqliteDialect _dialect;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public SqliteWriter(SqliteDialect dialect)
    {
        _dialect = dialect;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> WriteAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct)
    {
        var item = new Item<T>(work, ct);
        return _queue.Writer.TryWrite(item) ? item.Task : Task.FromException<T>(new ObjectDisposedException(nameof(SqliteWriter)));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<Item>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await RunBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task RunBatchAsync(List<Item> batch)
    {
        IDisposable? gate = null;
        DbConnection? connection = null;
        DbTransaction? transaction = null;
        try
        {
            gate = await _dialect.EnterWriteAsync(CancellationToken.None);
            connection = _dialect.CreateConnection();
            await connection.OpenAsync();
            await _dialect.OnOpenedAsync(connection, CancellationToken.None);
            transaction = await connection.BeginTransactionAsync();
            await RunItemsAsync(batch, new DbTx(connection, transaction, null), transaction);
        }
        catch (Exception e)
        {
            // No write slot, no connection, or a failed commit: nothing of this batch is durable.
            foreach (var item in batch)
            {
                item.Fail(e);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            gate?.Dispose();
        }
    }

    private static async Task RunItemsAsync(List<Item> batch, DbTx tx, DbTransaction transaction)
    {
        var committed = new List<Item>(batch.Count);
        foreach (var item in batch)
        {
            if (item.CancellationToken.IsCancellationRequested)
            {
                item.Cancel();
                continue;
            }

            await ExecuteAsync(tx, "SAVEPOINT write");
            bool commit;
            try
            {
                commit = await item.RunAsync(tx);
            }
            catch (Exception e)
            {
                // If the savepoint itself cannot be rolled back, SQLite has dropped the whole transaction: the batch fails.
                await ExecuteAsync(tx, "ROLLBACK TO write; RELEASE write");
                item.Fail(e);
                continue;
            }

            if (commit)
            {
                await ExecuteAsync(tx, "RELEASE write");
                committed.Add(item);
            }
            else
            {
                await ExecuteAsync(tx, "ROLLBACK TO write; RELEASE write");
                item.Complete();
            }
        }

        try
        {
            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            foreach (var item in committed)
            {
                item.Fail(e);
            }

            return;
        }

        foreach (var item in committed)
        {
            item.Complete();
        }
    }

    private static Task ExecuteAsync(DbTx tx, string sql) => tx.ExecuteAsync(sql, null, CancellationToken.None);

    private abstract class Item(CancellationToken ct)
    {
        public CancellationToken CancellationToken { get; } = ct;

        /// <returns>Whether the write's changes are to be kept.</returns>
        public abstract Task<bool> RunAsync(DbTx tx);

        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract void Cancel();
    }

    private sealed class Item<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct) : Item(ct)
    {
        // Continuations run on the thread pool, never inline on the writer loop.
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _value = default!;

        public Task<T> Task => _completion.Task;

        public override async Task<bool> RunAsync(DbTx tx)
        {
            var result = await work(tx, CancellationToken);
            _value = result.Value;
            return result.Commit;
        }

        public override void Complete() => _completion.TrySetResult(_value);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
