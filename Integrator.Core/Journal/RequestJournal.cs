using System.Threading.Channels;
using Integrator.Core.Idempotency;
using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Journal;

/// <summary>One Google call as support sees it. Request JSON is masked; bodies are the plaintext JSON we answered.</summary>
public sealed record JournalEntry(
    string CallId,
    long ReceivedAt,
    string Method,
    string? AccountId,
    string? RequestId,
    string? ReserveFundsRequestId,
    string? RequestJson,
    int HttpStatus,
    string? ResponseBody,
    string? ErrorCode);

/// <summary>
/// The request journal. An EXECUTED entry is written inside the transaction of the first execution, so it exists
/// exactly when the effect does. Entries of refused calls and replay counts are queued and written in batches in the
/// background: an answer never waits for them (a 503 is answered precisely when the database cannot take a write),
/// and a burst of garbage costs one transaction per batch. Queued writes are lost only if the process dies within the
/// flush interval, or dropped (and counted in the log) when the queue is full.
/// </summary>
public sealed partial class RequestJournal(Database database, TimeProvider time, ILogger<RequestJournal> logger) : BackgroundService
{
    private const int QueueCapacity = 10_000;
    private const int BatchSize = 1000;
    private static readonly TimeSpan FlushPause = TimeSpan.FromMilliseconds(100);

    private const string Insert = """
        INSERT INTO request_journal (call_id, received_at, method, payment_integrator_account_id, request_id,
                                     reserve_funds_request_id, outcome, request_json, http_status, response_body, error_code)
        VALUES (@CallId, @ReceivedAt, @Method, @AccountId, @RequestId,
                @ReserveFundsRequestId, @Outcome, @RequestJson, @HttpStatus, @ResponseBody, @ErrorCode)
        """;

    private const string CountReplays = """
        UPDATE request_journal SET replay_count = replay_count + @Count, last_replayed_at = @LastReplayedAt
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId AND outcome = 'EXECUTED'
        """;

    private readonly Channel<Write> _queue = Channel.CreateBounded<Write>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _dropped;

    public Task RecordExecutedAsync(DbTx tx, JournalEntry entry, CancellationToken ct) =>
        tx.ExecuteAsync(Insert, Row(entry, "EXECUTED"), ct);

    public void RecordRejected(JournalEntry entry) => Enqueue(new Write(entry, null));

    public void CountReplay(IdempotencyKey key) =>
        Enqueue(new Write(null, new Replay(key, time.GetUtcNow().ToUnixTimeMilliseconds())));

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loop drain what was queued before it stops.
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Write>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            await WriteAsync(batch);
            var full = batch.Count == BatchSize;
            batch.Clear();
            if (!full)
            {
                // Let the next writes gather: under load, one transaction (one fsync) carries hundreds of them.
                await Task.Delay(FlushPause, CancellationToken.None);
            }
        }
    }

    private void Enqueue(Write write)
    {
        if (!_queue.Writer.TryWrite(write) && Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            LogDropped(logger, Interlocked.Read(ref _dropped));
        }
    }

    private async Task WriteAsync(List<Write> batch)
    {
        var replays = batch.Where(w => w.Replay is not null).Select(w => w.Replay!)
            .GroupBy(r => r.Key)
            .Select(g => new { g.Key.AccountId, g.Key.RequestId, Count = g.Count(), LastReplayedAt = g.Max(r => r.At) })
            .ToList();
        var rejected = batch.Where(w => w.Rejected is not null).Select(w => Row(w.Rejected!, "REJECTED")).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var tx = await database.BeginAsync(CancellationToken.None);
                // A list runs one prepared statement for every row.
                await tx.ExecuteAsync(Insert, rejected, CancellationToken.None);
                await tx.ExecuteAsync(CountReplays, replays, CancellationToken.None);

                await tx.CommitAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (attempt < 3 && database.Classify(e) is StorageFault.Unavailable or StorageFault.Conflict)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception e)
            {
                LogBatchLost(logger, e, batch.Count);
                return;
            }
        }
    }

    private static object Row(JournalEntry entry, string outcome) => new
    {
        entry.CallId,
        entry.ReceivedAt,
        entry.Method,
        entry.AccountId,
        entry.RequestId,
        entry.ReserveFundsRequestId,
        Outcome = outcome,
        entry.RequestJson,
        entry.HttpStatus,
        entry.ResponseBody,
        entry.ErrorCode,
    };

    private sealed record Write(JournalEntry? Rejected, Replay? Replay);

    private sealed record Replay(IdempotencyKey Key, long At);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Journal queue full: {Dropped} journal writes dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "A batch of {Count} journal writes could not be stored")]
    private static partial void LogBatchLost(ILogger logger, Exception exception, int count);
}
