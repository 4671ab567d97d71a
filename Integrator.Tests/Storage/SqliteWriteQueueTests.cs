using Integrator.Core.Storage;

namespace Integrator.Tests.Storage;

/// <summary>The SQLite writer's queue is bounded: under a flood a write is refused at once (503), never queued without end.</summary>
public sealed class SqliteWriteQueueTests
{
    [Test]
    public async Task AWriteBeyondTheQueueIsRefusedAtOnceAndTheQueuedOnesStillCommit()
    {
        var folder = Directory.CreateTempSubdirectory("write-queue-").FullName;
        try
        {
            using var dialect = new SqliteDialect($"Data Source={Path.Combine(folder, "q.db")}", TimeSpan.FromSeconds(5), folder);
            await dialect.PrepareAsync(CancellationToken.None);
            await using var database = new Database(dialect, maxQueuedWrites: 1);
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            var first = database.WriteAsync(
                async (tx, ct) =>
                {
                    running.SetResult();
                    await release.Task;
                    return Write.Commit(await tx.ExecuteScalarAsync<long>("SELECT 1", null, ct));
                },
                CancellationToken.None);
            await running.Task;
            var queued = database.WriteAsync(async (tx, ct) => Write.Commit(await tx.ExecuteScalarAsync<long>("SELECT 2", null, ct)), CancellationToken.None);
            var refused = database.WriteAsync(async (tx, ct) => Write.Commit(await tx.ExecuteScalarAsync<long>("SELECT 3", null, ct)), CancellationToken.None);

            var refusal = await Assert.ThrowsAsync<StorageBusyException>(async () => await refused);
            Assert.That(database.Classify(refusal!), Is.EqualTo(StorageFault.Unavailable), "answered 503");
            release.SetResult();
            Assert.That(await first + await queued, Is.EqualTo(3));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
