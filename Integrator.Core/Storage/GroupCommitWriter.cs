using System.Data.Common;
using System.Threading.Channels;

namespace Integrator.Core.Storage;

/// <summary>
/// Group commit, for engines that pay a WAL flush per commit (SQLite's fsync; PostgreSQL's, and with a synchronous
/// standby its round trip). Writes queued while one batch runs become the next batch: one transaction, each write in a
/// savepoint of its own (an error or a refusal rolls back only that write), one commit for all. A lone write never
/// waits for companions: they are whatever queued during the previous commit, at most <c>maxBatch</c>. A write's caller
/// is answered only after the commit that made it durable; if that commit fails (or is kept only locally), every write
/// in it fails with an unknown outcome and nothing of them is answered from it. The writer keeps one connection (on
/// SQLite its statements stay compiled, <see cref="PreparedStatements"/>); each batch starts with
/// <see cref="SqlDialect.OnBatchStartedAsync"/> and ends with <see cref="SqlDialect.OnBatchCommittingAsync"/>, between
/// which, on PostgreSQL, it has its turn among the batches of every instance (so they never deadlock each other).
/// </summary>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    private readonly SqlDialect _dialect;
    private readonly int _maxBatch;
    private readonly Channel<Item> _queue;
    private readonly Task _loop;
    private DbConnection? _connection;

    public GroupCommitWriter(SqlDialect dialect, int capacity, int maxBatch)
    {
        _dialect = dialect;
        _maxBatch = maxBatch;
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = Task.Run(RunAsync);
    }

    public Task<T> WriteAsync<T>(Func<DbTx, CancellationToken, Task<WriteResult<T>>> work, CancellationToken ct)
    {
        var item = new Item<T>(work, ct);
        if (_queue.Writer.TryWrite(item))
        {
            return item.Task;
        }

        // Full (a flood: answered 503 at once) or completed (shutting down).
        return Task.FromException<T>(_queue.Reader.Completion.IsCompleted
            ? new ObjectDisposedException(nameof(GroupCommitWriter))
            : new StorageBusyException("The write queue is full."));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Item>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var item))
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
        DbTransaction? transaction = null;
        try
        {
            gate = await _dialect.EnterWriteAsync(CancellationToken.None);
            DbTx batchTx;
            (transaction, batchTx) = await BeginAsync();
            await RunItemsAsync(batch, batchTx);
        }
        catch (Exception e)
        {
            // No write slot, no connection, or a failed commit: every write of the batch fails, none having been answered
            // before the commit. Its outcome is unknown to the callers (an answer to COMMIT lost with the connection
            // may hide a commit; a retry finds out). The connection is opened afresh for the next batch.
            foreach (var item in batch)
            {
                item.Fail(e);
            }

            if (transaction is not null)
            {
                await transaction.DisposeAsync();
                transaction = null;
            }

            if (_connection is not null)
            {
                await _dialect.OnWriterFailedAsync(_connection);
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            gate?.Dispose();
        }
    }

    /// <summary>
    /// The batch's transaction, begun with <see cref="SqlDialect.OnBatchStartedAsync"/>. The kept connection may have
    /// died since the last batch (a database restart, a failover, a cut link): found out here, before any write ran, it
    /// is replaced once instead of failing the batch.
    /// </summary>
    private async Task<(DbTransaction Transaction, DbTx Tx)> BeginAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var reused = _connection is not null;
            _connection ??= await OpenAsync();
            DbTransaction? transaction = null;
            try
            {
                transaction = await _connection.BeginTransactionAsync();
                var tx = new DbTx(_connection, transaction, null, _dialect.CombinesStatements);
                await _dialect.OnBatchStartedAsync(tx, CancellationToken.None);
                return (transaction, tx);
            }
            catch (Exception e) when (reused && attempt == 0 && _dialect.Classify(e) == StorageFault.Unavailable)
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }

                await _connection.DisposeAsync();
                _connection = null;
            }
        }
    }

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _dialect.CreateConnection();
        try
        {
            await connection.OpenAsync();
            await _dialect.OnOpenedAsync(connection, CancellationToken.None);
            return _dialect.KeepForWriter(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs each write under a savepoint of the batch's transaction. Every answer, a refusal's or a fault's too, waits
    /// for the commit: a write that rolled back saw the uncommitted work of the writes before it, so its caller must
    /// not read the database (on another connection) before that work is durable.
    /// </summary>
    private async Task RunItemsAsync(List<Item> batch, DbTx batchTx)
    {
        var answers = new List<Action>(batch.Count);
        var kept = new List<DbTx>(batch.Count);
        await ExecuteAsync(batchTx, Savepoint);
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (item.CancellationToken.IsCancellationRequested)
            {
                item.Cancel();
                continue; // its savepoint, still empty, is the next write's
            }

            answers.Add(await RunItemAsync(item, batchTx, last: i == batch.Count - 1, kept));
        }

        await _dialect.OnBatchCommittingAsync(batchTx);
        await _dialect.CommitAsync(batchTx);
        foreach (var tx in kept)
        {
            tx.Committed();
        }

        foreach (var answer in answers)
        {
            answer();
        }
    }

    /// <summary>
    /// Runs one write in the open savepoint and leaves the next one open (none after the last); returns its answer. A
    /// write the engine aborted for concurrency is undone and run again in a fresh savepoint, a bounded number of times.
    /// </summary>
    private async Task<Action> RunItemAsync(Item item, DbTx batchTx, bool last, List<DbTx> kept)
    {
        for (var attempt = 1; ; attempt++)
        {
            // A DbTx of its own on the batch's transaction: what it asks to run after the commit is its own.
            var tx = new DbTx(batchTx.Connection, batchTx.Transaction, null, _dialect.CombinesStatements);
            Action answer;
            try
            {
                if (await item.RunAsync(tx))
                {
                    // The statements it held for later, its release and the next write's savepoint travel together (the
                    // last write is kept by the commit itself). If one of them fails, the rest do not run: the write is
                    // undone below, as if its work had thrown.
                    await tx.FlushAsync(last ? null : Release + "; " + Savepoint, CancellationToken.None);
                    kept.Add(tx);
                    return item.Complete;
                }

                answer = item.Complete;
            }
            catch (Exception e) when (attempt < Database.AttemptsOnConflict && _dialect.IsRetryable(e))
            {
                await ExecuteAsync(batchTx, Undo + "; " + Savepoint);
                continue;
            }
            catch (Exception e)
            {
                answer = () => item.Fail(e);
            }

            // If the savepoint cannot be rolled back, the engine has dropped the whole transaction: the batch fails.
            await ExecuteAsync(batchTx, last ? Undo : Undo + "; " + Savepoint);
            return answer;
        }
    }

    private const string Savepoint = "SAVEPOINT write";

    private const string Release = "RELEASE write";

    private const string Undo = "ROLLBACK TO write; " + Release;

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
            var result = await Database.RunWorkAsync(work, tx, CancellationToken);
            _value = result.Value;
            return result.Commit;
        }

        public override void Complete() => _completion.TrySetResult(_value);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
    }
}
