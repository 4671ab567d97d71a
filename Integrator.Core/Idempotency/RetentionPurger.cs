using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Idempotency;

/// <summary>
/// Deletes idempotency records, journal entries and replay counts older than <c>Idempotency:Retention</c>, in small
/// batches so that no single transaction holds the database for long.
/// </summary>
public sealed partial class RetentionPurger(
    Database database, IOptions<IdempotencyOptions> options, TimeProvider time, ILogger<RetentionPurger> logger) : BackgroundService
{
    private const int BatchSize = 1000;

    // Idempotency records, journal entries, replay and refusal counts; the statements differ only in how each engine
    // limits a DELETE (request_replays and request_refusals have no rowid in SQLite).
    private static string[] PurgeSql(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite =>
        [
            "DELETE FROM idempotency_records WHERE rowid IN (SELECT rowid FROM idempotency_records WHERE created_at < @Cutoff LIMIT @Batch)",
            "DELETE FROM request_journal WHERE rowid IN (SELECT rowid FROM request_journal WHERE received_at < @Cutoff LIMIT @Batch)",
            """
            DELETE FROM request_replays WHERE (payment_integrator_account_id, request_id) IN
                (SELECT payment_integrator_account_id, request_id FROM request_replays WHERE last_replayed_at < @Cutoff LIMIT @Batch)
            """,
            """
            DELETE FROM request_refusals WHERE (minute_start, method, error_code, http_status) IN
                (SELECT minute_start, method, error_code, http_status FROM request_refusals WHERE minute_start < @Cutoff LIMIT @Batch)
            """,
        ],
        StorageProvider.Postgres =>
        [
            "DELETE FROM idempotency_records WHERE ctid IN (SELECT ctid FROM idempotency_records WHERE created_at < @Cutoff LIMIT @Batch)",
            "DELETE FROM request_journal WHERE ctid IN (SELECT ctid FROM request_journal WHERE received_at < @Cutoff LIMIT @Batch)",
            "DELETE FROM request_replays WHERE ctid IN (SELECT ctid FROM request_replays WHERE last_replayed_at < @Cutoff LIMIT @Batch)",
            "DELETE FROM request_refusals WHERE ctid IN (SELECT ctid FROM request_refusals WHERE minute_start < @Cutoff LIMIT @Batch)",
        ],
        StorageProvider.SqlServer =>
        [
            "DELETE TOP (@Batch) FROM idempotency_records WHERE created_at < @Cutoff",
            "DELETE TOP (@Batch) FROM request_journal WHERE received_at < @Cutoff",
            "DELETE TOP (@Batch) FROM request_replays WHERE last_replayed_at < @Cutoff",
            "DELETE TOP (@Batch) FROM request_refusals WHERE minute_start < @Cutoff",
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval);
        do
        {
            try
            {
                await PurgeOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPurgeFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> PurgeOnceAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        var deleted = 0;
        foreach (var sql in PurgeSql(database.Dialect.Provider))
        {
            int rows;
            do
            {
                rows = await database.ExecuteAsync(sql, new { Cutoff = cutoff, Batch = BatchSize }, ct);
                deleted += rows;
            }
            while (rows == BatchSize);
        }

        if (deleted > 0)
        {
            LogPurged(logger, deleted, options.Value.Retention.TotalDays);
        }

        return deleted;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Purged {Rows} idempotency records, journal entries and replay counts older than {Days} days")]
    private static partial void LogPurged(ILogger logger, int rows, double days);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Retention purge failed; it runs again at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
