using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>
/// The job that resolves what no Google call is waiting for: commands whose outcome is unknown (sent again with the
/// same key, with backoff), releases awaiting the back end's confirmation (checked), and commands a crashed instance
/// held (its lease runs out). Several instances may run one each; a command is claimed with a lease. A new command
/// wakes it at once (<see cref="CommandSignal"/>).
/// </summary>
public sealed partial class CommandResolver(
    CommandStore commands,
    CommandRunner runner,
    CommandSignal signal,
    BackendMetrics metrics,
    IOptions<BackendOptions> options,
    TimeProvider time,
    ILogger<CommandResolver> logger) : BackgroundService
{
    private const int Batch = 16;

    private readonly BackendOptions _options = options.Value;

    /// <summary>When the loop last came round (null before it started, or when it does not run here): readiness.</summary>
    public DateTimeOffset? LastRound { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Provider == BackendProvider.Embedded || !_options.ResolverEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            LastRound = time.GetUtcNow();
            var worked = 0;
            try
            {
                worked = await RunOnceAsync(stoppingToken);
                metrics.Update(await commands.StatsAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A fault here must not stop the host; the commands stay, and their leases run out.
                LogLoopFault(logger, e);
            }

            if (worked < Batch)
            {
                try
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        try
        {
            await commands.ReleaseLeasesAsync(commands.Instance, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoopFault(logger, e);
        }
    }

    /// <summary>Attempts every due command once; returns how many it claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var claimed = 0;
        foreach (var id in await commands.DueAsync(time.GetUtcNow(), Batch, ct))
        {
            var now = time.GetUtcNow();
            if (!await commands.TryClaimAsync(id, commands.Instance, now, now + _options.Lease, ct) || await commands.FindAsync(id, ct) is not { } command)
            {
                continue;
            }

            claimed++;
            await runner.RunAsync(command, _options.Timeout, null, ct);
        }

        return claimed;
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Back-end command resolver fault; it carries on at the next poll")]
    private static partial void LogLoopFault(ILogger logger, Exception exception);
}
