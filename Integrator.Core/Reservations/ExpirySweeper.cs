using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Reservations;

/// <summary>
/// Moves reservations past their expiry to EXPIRED and releases their holds (GSP: "the integrator auto-cancelled the
/// reservation"), a batch per short transaction. Each move is a compare-and-set on RESERVED, so a cancel or capture
/// of the same reservation at the same moment wins or loses cleanly; a later cancel answers SUCCESS.
/// </summary>
public sealed partial class ExpirySweeper(
    Database database,
    ReservationStore reservations,
    IOptions<ReservationOptions> options,
    TimeProvider time,
    ILogger<ExpirySweeper> logger) : BackgroundService
{
    private const string SelectExpired =
        $"SELECT {ReservationStore.Columns} FROM reservations WHERE state = 'RESERVED' AND expires_at <= @Now AND capture_id IS NULL ORDER BY expires_at";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many reservations this sweep expired.</returns>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var batch = options.Value.SweepBatchSize;
        var sql = $"{SelectExpired} {database.Dialect.Limit("@Batch")}";
        var expired = 0;
        while (true)
        {
            var (due, moved) = await database.WriteAsync(
                async (tx, token) =>
                {
                    var now = time.GetUtcNow();
                    var due = await tx.QueryAsync<Reservation>(sql, new { Now = now, Batch = batch }, token);
                    var moved = 0;
                    foreach (var reservation in due)
                    {
                        if (await reservations.TryReleaseAsync(tx, reservation, reservation.ReleasedStateAt(now), new Cause(TransitionCauses.ExpirySweeper), now, token))
                        {
                            moved++;
                        }
                    }

                    return Write.Commit((due.Count, moved));
                },
                ct);
            expired += moved;
            if (due < batch)
            {
                break;
            }
        }

        if (expired > 0)
        {
            LogExpired(logger, expired);
        }

        return expired;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Expired {Count} reservations and released their holds")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Expiry sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
