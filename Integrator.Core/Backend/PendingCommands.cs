using Integrator.Core.Gsp;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>
/// A Google call whose answer waits for the back end (<see cref="IPendingResolver"/>): its command is sent, or checked,
/// within <c>Backend:Timeout</c>. The call that opened the command holds its lease and sends it at once; a retry of it
/// claims the command, or, if another instance holds it, waits for it to resolve. If the back end gives no definite
/// answer in time, the call gets 503 and the resolver job carries on with the same key.
/// </summary>
public sealed class PendingCommands(
    CommandStore commands, CommandRunner runner, IdempotencyStore idempotency, IOptions<BackendOptions> options, TimeProvider time)
    : IPendingResolver
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly BackendOptions _options = options.Value;

    public async Task<PendingResolution> ResolveAsync(IdempotencyKey key, string? openedCommandId, JournalEntry journal, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var command = openedCommandId is null
                ? await commands.FindByKeyAsync(Keys.Of(key), ct)
                : await commands.FindAsync(openedCommandId, ct);
            if (command is null)
            {
                return PendingResolution.Unknown;
            }

            if (!command.State.IsOpen)
            {
                // Resolved elsewhere: its body is stored (or, for an error, the claim is gone and a retry runs afresh).
                return await idempotency.FindDurableAsync(key, ct) is { IsPending: false } record
                    ? new PendingResolution(record.ResponseBody, null)
                    : PendingResolution.Unknown;
            }

            // Opened by this call, the command is leased to this instance already; anything else is claimed first.
            var now = time.GetUtcNow();
            var ours = openedCommandId is not null && command.LeaseOwner == commands.Instance;
            openedCommandId = null;
            if (ours || await commands.TryClaimAsync(command.CommandId, commands.Instance, now, now + _options.Lease, ct))
            {
                var run = await runner.RunAsync(command, _options.Timeout - time.GetElapsedTime(started), journal, ct);
                return !run.Resolved ? PendingResolution.Unknown
                    : run.Completion.Error is { } error ? new PendingResolution(null, error)
                    : run.Body is { } body ? new PendingResolution(body, null)
                    : await idempotency.FindDurableAsync(key, ct) is { IsPending: false } completed ? new PendingResolution(completed.ResponseBody, null)
                    : PendingResolution.Unknown;
            }

            if (time.GetElapsedTime(started) + Poll >= _options.Timeout)
            {
                return PendingResolution.Unknown;
            }

            await Task.Delay(Poll, time, ct);
        }
    }
}
