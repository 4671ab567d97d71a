using System.Data.Common;

namespace Integrator.Core.Storage;

/// <summary>How a storage exception should be answered.</summary>
public enum StorageFault
{
    /// <summary>Not a recognised storage condition: a bug or an unexpected fault (500).</summary>
    None,

    /// <summary>A UNIQUE or PRIMARY KEY constraint refused a row: someone else already holds that key.</summary>
    DuplicateKey,

    /// <summary>A lock wait ran out or the engine aborted us for concurrency (409, retry later).</summary>
    Conflict,

    /// <summary>The database cannot be reached or is locked past the timeout (503, retry later).</summary>
    Unavailable,
}

/// <summary>
/// What differs between storage engines in how they are used: connections and their settings, the write slot, error
/// classification, <c>LIMIT</c>, the migration journal and lock. A statement a feature must write per engine (the
/// outbox claim) sits beside its portable siblings in that feature's store, switched on <see cref="Provider"/>.
/// </summary>
public abstract class SqlDialect
{
    public abstract StorageProvider Provider { get; }

    public abstract DbConnection CreateConnection();

    /// <summary>Runs once at startup, before migrations (create the folder of a SQLite file, switch to WAL).</summary>
    public virtual Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Per-connection settings applied after open.</summary>
    public virtual Task OnOpenedAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Entered before a write transaction begins; SQLite has one writer per file, so its writers queue here, in process,
    /// instead of spinning in SQLite's busy handler.
    /// </summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken ct) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Per-transaction settings (lock timeouts) applied right after BEGIN.</summary>
    public virtual Task OnTransactionStartedAsync(DbTx tx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Whether concurrent writes share a commit (<see cref="GroupCommitWriter"/>) rather than each commit alone.</summary>
    public virtual bool GroupCommits => false;

    /// <summary>
    /// Whether one command may carry several statements with their parameters, each run in turn, the first failure
    /// ending it: a write's statements held for later (<see cref="DbTx.ExecuteLater"/>) then cost no round trip.
    /// </summary>
    public virtual bool CombinesStatements => false;

    /// <summary>The group commit writer's long-lived connection, once opened.</summary>
    internal virtual DbConnection KeepForWriter(DbConnection connection) => connection;

    /// <summary>Runs first in each group commit batch's transaction.</summary>
    public virtual Task OnBatchStartedAsync(DbTx tx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Runs last in a group commit batch's transaction, its writes done, right before its commit.</summary>
    public virtual Task OnBatchCommittingAsync(DbTx tx) => Task.CompletedTask;

    /// <summary>A group commit batch failed: runs on the writer's connection (its transaction ended) before it is let go.</summary>
    internal virtual Task OnWriterFailedAsync(DbConnection connection) => Task.CompletedTask;

    public abstract StorageFault Classify(Exception exception);

    /// <summary>
    /// Whether the engine aborted the write for concurrency (a deadlock, a serialization failure) with nothing of it
    /// kept, and expects it to be run again: Storage runs it again, up to <see cref="Database.AttemptsOnConflict"/>
    /// times, before its caller hears of it. A lock wait that ran out is not: it already took the caller's patience.
    /// </summary>
    public virtual bool IsRetryable(Exception exception) => false;

    /// <summary>
    /// Commits, never cancelled halfway (a cancelled commit's outcome is unknown). Throws
    /// <see cref="CommitNotDurableException"/> when the engine kept the commit only locally.
    /// </summary>
    public virtual Task CommitAsync(DbTx tx) => tx.Transaction.CommitAsync(CancellationToken.None);

    /// <summary>
    /// A statement whose write, committed, proves that everything committed before it is durable where the engine makes
    /// commits durable (PostgreSQL: on the synchronous standby), returning false where it cannot (a standby); null where
    /// a commit is durable once it returns.
    /// </summary>
    public virtual string? DurabilityBarrierSql => null;

    /// <summary>Ends an ordered SELECT after the number of rows in <paramref name="parameter"/> (SQL Server has no LIMIT).</summary>
    public virtual string Limit(string parameter) => $"LIMIT {parameter}";

    /// <summary>Creates the migration journal if it does not exist.</summary>
    public abstract string CreateMigrationJournalSql { get; }

    /// <summary>Serialises migrations across instances that start at the same time.</summary>
    public virtual Task LockForMigrationAsync(DbTx tx, CancellationToken ct) => Task.CompletedTask;
}
