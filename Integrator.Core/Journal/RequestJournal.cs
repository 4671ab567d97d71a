using System.Threading.Channels;
using Integrator.Core.Gsp;
using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Journal;

/// <summary>One Google call as support sees it. Request JSON is masked; bodies are the plaintext JSON we answered.</summary>
public sealed record JournalEntry(
    string CallId,
    DateTimeOffset ReceivedAt,
    string Method,
    string? AccountId,
    string? RequestId,
    string? ReserveFundsRequestId,
    string? RequestJson,
    int HttpStatus,
    string? ResponseBody,
    string? ErrorCode)
{
    /// <summary>The one way an entry is made: the call, what Google sent (masked; none if it did not parse), what it got.</summary>
    public static JournalEntry Of(
        string callId, DateTimeOffset receivedAt, string method, IGspRequest? request, int httpStatus, string? responseBody = null, string? errorCode = null) =>
        new(
            CallId: callId,
            ReceivedAt: receivedAt,
            Method: method,
            AccountId: request?.AccountId,
            RequestId: request?.RequestHeader?.HasRequestId == true ? request.RequestHeader.RequestId : null,
            ReserveFundsRequestId: request?.ReservationRequestId,
            RequestJson: request is null ? null : RequestMasking.ForJournal(request),
            HttpStatus: httpStatus,
            ResponseBody: responseBody,
            ErrorCode: errorCode);
}

/// <summary>
/// The request journal. An EXECUTED entry is written inside the transaction of the first execution, so it exists
/// exactly when the effect does. Entries of refused calls and replay counts are written in the background once per
/// flush interval: an answer never waits for them (a 503 is answered precisely when the database cannot take a
/// write), a burst of garbage costs one transaction per batch, and replays of one key within an interval add up to one
/// row write. Calls refused before authentication are only counted, per minute and kind. They are lost only if the
/// process dies within the interval; refusals beyond the queue's capacity are dropped and counted in the log.
/// </summary>
public sealed partial class RequestJournal(Database database, TimeProvider time, ILogger<RequestJournal> logger) : BackgroundService
{
    private const int QueueCapacity = 10_000;
    private const int BatchSize = 1000;

    // Measured with replays of random keys among 1 M stored requests (bench/): flushing every 100 ms rewrote the same
    // pages ten times a second, and replays ran at 82-88 % of their rate against 10 k stored; once a second, 91-98 %.
    // A flood of refusals above QueueCapacity per interval is dropped (and counted), never queued without bound.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private const string Insert = """
        INSERT INTO request_journal (call_id, received_at, method, payment_integrator_account_id, request_id,
                                     reserve_funds_request_id, outcome, request_json, http_status, response_body, error_code)
        VALUES (@CallId, @ReceivedAt, @Method, @AccountId, @RequestId,
                @ReserveFundsRequestId, @Outcome, @RequestJson, @HttpStatus, @ResponseBody, @ErrorCode)
        """;

    /// <summary>
    /// The journal (alias <c>j</c>) with each executed entry's replays (alias <c>r</c>): replays count against the
    /// execution, not against refusals of the same key. For support's reads.
    /// </summary>
    public const string WithReplays = """
        request_journal j
        LEFT JOIN request_replays r ON j.outcome = 'EXECUTED'
            AND r.payment_integrator_account_id = j.payment_integrator_account_id AND r.request_id = j.request_id
        """;

    // Adds an interval's replays of one key to its row in request_replays (see db/*/0003_idempotency.sql).
    private static string CountReplays(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite or StorageProvider.Postgres => """
            INSERT INTO request_replays (payment_integrator_account_id, request_id, replay_count, last_replayed_at)
            VALUES (@AccountId, @RequestId, @Count, @LastReplayedAt)
            ON CONFLICT (payment_integrator_account_id, request_id) DO UPDATE
            SET replay_count = request_replays.replay_count + excluded.replay_count,
                last_replayed_at = CASE WHEN excluded.last_replayed_at > request_replays.last_replayed_at
                                        THEN excluded.last_replayed_at ELSE request_replays.last_replayed_at END
            """,
        StorageProvider.SqlServer => """
            MERGE request_replays WITH (HOLDLOCK) AS r
            USING (VALUES (@AccountId, @RequestId, @Count, @LastReplayedAt))
                AS s (payment_integrator_account_id, request_id, replay_count, last_replayed_at)
            ON r.payment_integrator_account_id = s.payment_integrator_account_id AND r.request_id = s.request_id
            WHEN MATCHED THEN UPDATE SET replay_count = r.replay_count + s.replay_count,
                last_replayed_at = CASE WHEN s.last_replayed_at > r.last_replayed_at THEN s.last_replayed_at ELSE r.last_replayed_at END
            WHEN NOT MATCHED THEN INSERT (payment_integrator_account_id, request_id, replay_count, last_replayed_at)
                VALUES (s.payment_integrator_account_id, s.request_id, s.replay_count, s.last_replayed_at);
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    // Adds an interval's refusals before authentication to their minute's row (db/*/0010_request_refusals.sql).
    private static string CountRefusals(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite or StorageProvider.Postgres => """
            INSERT INTO request_refusals (minute_start, method, error_code, http_status, refusal_count, last_call_id)
            VALUES (@MinuteStart, @Method, @ErrorCode, @HttpStatus, @Count, @LastCallId)
            ON CONFLICT (minute_start, method, error_code, http_status) DO UPDATE
            SET refusal_count = request_refusals.refusal_count + excluded.refusal_count, last_call_id = excluded.last_call_id
            """,
        StorageProvider.SqlServer => """
            MERGE request_refusals WITH (HOLDLOCK) AS r
            USING (VALUES (@MinuteStart, @Method, @ErrorCode, @HttpStatus, @Count, @LastCallId))
                AS s (minute_start, method, error_code, http_status, refusal_count, last_call_id)
            ON r.minute_start = s.minute_start AND r.method = s.method AND r.error_code = s.error_code AND r.http_status = s.http_status
            WHEN MATCHED THEN UPDATE SET refusal_count = r.refusal_count + s.refusal_count, last_call_id = s.last_call_id
            WHEN NOT MATCHED THEN INSERT (minute_start, method, error_code, http_status, refusal_count, last_call_id)
                VALUES (s.minute_start, s.method, s.error_code, s.http_status, s.refusal_count, s.last_call_id);
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    private readonly Channel<JournalEntry> _rejected = Channel.CreateBounded<JournalEntry>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Lock _replaysLock = new();
    private Dictionary<IdempotencyKey, ReplayCount> _replays = [];
    private Dictionary<(DateTimeOffset MinuteStart, string Method, string ErrorCode, int HttpStatus), RefusalCount> _refusals = [];
    private long _dropped;

    /// <summary>Journals an executed call in its write's transaction (held for later: <see cref="DbTx.ExecuteLater"/>).</summary>
    public void RecordExecuted(DbTx tx, JournalEntry entry) => tx.ExecuteLater(Insert, Row(entry, "EXECUTED"));

    public void RecordRejected(JournalEntry entry)
    {
        if (!_rejected.Writer.TryWrite(entry) && Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            LogDropped(logger, Interlocked.Read(ref _dropped));
        }
    }

    /// <summary>
    /// A call refused before its payload was authenticated: counted in its minute, not journaled on its own, so that
    /// a flood cannot grow the database by a row a call. Keys are few (methods × codes), so memory stays bounded.
    /// </summary>
    public void CountRefusal(string method, string errorCode, int httpStatus, string callId)
    {
        var now = time.GetUtcNow();
        var key = (new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero), method, errorCode, httpStatus);
        lock (_replaysLock)
        {
            _refusals[key] = _refusals.TryGetValue(key, out var counted)
                ? counted with { Count = counted.Count + 1, LastCallId = callId }
                : new RefusalCount(key.Item1, method, errorCode, httpStatus, 1, callId);
        }
    }

    public void CountReplay(IdempotencyKey key)
    {
        var at = time.GetUtcNow();
        lock (_replaysLock)
        {
            _replays[key] = _replays.TryGetValue(key, out var counted)
                ? counted with { Count = counted.Count + 1, LastReplayedAt = counted.LastReplayedAt > at ? counted.LastReplayedAt : at }
                : new ReplayCount(key.AccountId, key.RequestId, 1, at);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time, not the injected clock: this paces I/O, it does not decide anything.
        using var timer = new PeriodicTimer(FlushInterval);
        bool running;
        do
        {
            try
            {
                running = await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                running = false; // one last flush of what was gathered before the stop
            }

            await FlushAsync();
        }
        while (running);
    }

    private async Task FlushAsync()
    {
        Dictionary<IdempotencyKey, ReplayCount> replays;
        List<RefusalCount> refusals;
        lock (_replaysLock)
        {
            replays = _replays;
            _replays = [];
            refusals = [.. _refusals.Values.OrderBy(r => r.MinuteStart).ThenBy(r => r.Method, StringComparer.Ordinal)
                .ThenBy(r => r.ErrorCode, StringComparer.Ordinal).ThenBy(r => r.HttpStatus)];
            _refusals = [];
        }

        var counts = replays.Values
            // One order for every instance, so that two flushes upserting the same keys cannot deadlock.
            .OrderBy(r => r.AccountId, StringComparer.Ordinal).ThenBy(r => r.RequestId, StringComparer.Ordinal)
            .ToList();
        var rejected = new List<object>(BatchSize);
        do
        {
            rejected.Clear();
            while (rejected.Count < BatchSize && _rejected.Reader.TryRead(out var entry))
            {
                rejected.Add(Row(entry, "REJECTED"));
            }

            if (rejected.Count > 0 || counts.Count > 0 || refusals.Count > 0)
            {
                await WriteAsync(rejected, counts, refusals);
                counts = [];
                refusals = [];
            }
        }
        while (rejected.Count == BatchSize);
    }

    private async Task WriteAsync(List<object> rejected, List<ReplayCount> counts, List<RefusalCount> refusals)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A list runs one prepared statement for every row.
                await database.WriteAsync(
                    async (tx, ct) =>
                    {
                        await tx.ExecuteAsync(Insert, rejected, ct);
                        await tx.ExecuteAsync(CountReplays(database.Dialect.Provider), counts, ct);
                        await tx.ExecuteAsync(CountRefusals(database.Dialect.Provider), refusals, ct);
                    },
                    CancellationToken.None);
                return;
            }
            catch (Exception e) when (attempt < 3 && database.Classify(e) is StorageFault.Unavailable or StorageFault.Conflict)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception e)
            {
                LogBatchLost(logger, e, rejected.Count + counts.Count + refusals.Count);
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

    private sealed record ReplayCount(string AccountId, string RequestId, int Count, DateTimeOffset LastReplayedAt);

    private sealed record RefusalCount(DateTimeOffset MinuteStart, string Method, string ErrorCode, int HttpStatus, long Count, string LastCallId);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Journal queue full: {Dropped} entries of refused calls dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "A batch of {Count} journal writes could not be stored")]
    private static partial void LogBatchLost(ILogger logger, Exception exception, int count);
}
