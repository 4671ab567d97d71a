using System.Collections.Frozen;
using Integrator.Core.Gsp;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>What one run of a command came to: resolved with its completion (and the 200 body stored for its call), or still open.</summary>
public sealed record CommandRun(bool Resolved, Completion Completion, BackendCommand Command, string? Body = null)
{
    public static CommandRun Open(BackendCommand command) => new(false, Completion.None, command);
}

/// <summary>
/// Sends a command to the back end (or, while a release awaits confirmation, checks the hold's state), records every
/// attempt, and, once the back end answers definitely, ends the command in one transaction with its completion: the
/// feature's state change, the Google call's 200 body stored (or its claim dropped for an error), its journal entry.
/// The caller holds the command's lease; a command already resolved by another instance is left as it is.
/// </summary>
public sealed partial class CommandRunner(
    CommandStore commands,
    IBackendConnector connector,
    IEnumerable<ICommandCompletion> completions,
    IdempotencyStore idempotency,
    RequestJournal journal,
    BackendMetrics metrics,
    Database database,
    IOptions<BackendOptions> options,
    TimeProvider time,
    ILogger<CommandRunner> logger)
{
    private readonly FrozenDictionary<CommandKind, ICommandCompletion> _completions = completions.ToFrozenDictionary(c => c.Kind);
    // An attempt gets at least this long, even at the end of a call's budget.
    private static readonly TimeSpan MinAttempt = TimeSpan.FromMilliseconds(50);

    private readonly BackendOptions _options = options.Value;

    /// <summary>
    /// Attempts the command until it resolves or <paramref name="budget"/> is spent (one attempt at least); an attempt
    /// without a definite answer is recorded and the command scheduled for the resolver.
    /// </summary>
    /// <param name="call">The Google call waiting for it (its journal entry), or null for the resolver job.</param>
    public async Task<CommandRun> RunAsync(BackendCommand command, TimeSpan budget, JournalEntry? call, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var operation = command.State == CommandState.Awaiting ? "CHECK" : "SEND";
            var result = await AttemptAsync(command, operation, budget - time.GetElapsedTime(started), ct);
            metrics.Record(command.Kind, operation, result);
            if (result.Verdict is not (BackendVerdict.Unknown or BackendVerdict.Awaiting))
            {
                return await ResolveAsync(command, operation, result, call, ct);
            }

            var state = result.Verdict == BackendVerdict.Awaiting ? CommandState.Awaiting : command.State;
            var delay = RetrySchedule.Delay(command.AttemptCount + 1, _options.FirstRetryDelay, _options.MaxRetryDelay, Random.Shared.NextDouble());
            var left = budget - time.GetElapsedTime(started);
            var retryHere = result.Verdict == BackendVerdict.Unknown && delay < left;
            var now = time.GetUtcNow();

            // Retrying here, the command is due only once this call's budget is spent: nobody else sends it meanwhile.
            await commands.RescheduleAsync(command, commands.Instance, operation, result, state, now, now + (retryHere ? left : delay), ct);
            if (result.Verdict == BackendVerdict.Awaiting)
            {
                LogAwaiting(logger, command.Kind.Wire, command.CommandId);
            }
            else
            {
                var outcome = result.Describe();
                LogOpen(logger, command.Kind.Wire, command.CommandId, outcome);
            }

            if (!retryHere)
            {
                return CommandRun.Open(command);
            }

            // The same key once more, after the backoff, under a fresh lease.
            await Task.Delay(delay, time, ct);
            now = time.GetUtcNow();
            if (!await commands.TryClaimAsync(command.CommandId, commands.Instance, now, now + _options.Lease, ct))
            {
                return CommandRun.Open(command);
            }

            command = (await commands.FindAsync(command.CommandId, ct))!;
        }
    }

    private async Task<BackendResult> AttemptAsync(BackendCommand command, string operation, TimeSpan left, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(left > MinAttempt ? left : MinAttempt);
        using var span = Telemetry.Source.StartActivity($"backend {command.Kind.Wire} {operation}", System.Diagnostics.ActivityKind.Client);
        var started = time.GetTimestamp();
        try
        {
            return operation == "CHECK" ? await connector.CheckAsync(command, timeout.Token) : await connector.SendAsync(command, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new BackendResult(BackendVerdict.Unknown, null, (long)time.GetElapsedTime(started).TotalMilliseconds, "timed out");
        }
    }

    private async Task<CommandRun> ResolveAsync(BackendCommand command, string operation, BackendResult result, JournalEntry? call, CancellationToken ct)
    {
        var state = result.Verdict switch
        {
            BackendVerdict.Confirmed => CommandState.Confirmed,
            BackendVerdict.Declined => CommandState.Declined,
            BackendVerdict.Refused => CommandState.Refused,
            _ => CommandState.Failed,
        };
        var completion = _completions[command.Kind];
        var run = await database.WriteAsync(
            async (tx, token) =>
            {
                var now = time.GetUtcNow();
                if (!await commands.TryResolveAsync(tx, command, commands.Instance, operation, result, state, now, token))
                {
                    return Write.RollBack(CommandRun.Open(command));
                }

                var done = await completion.CompleteAsync(tx, command, result, now, token);
                string? stored = null;
                if (command.RequestId is { } requestId && completion.Method is { } method)
                {
                    var key = new IdempotencyKey(command.PaymentIntegratorAccountId, requestId);
                    if (done.Response is { } response)
                    {
                        response.ResponseHeader = Gsp.V1.ResponseHeader.At(now);
                        var body = GspJson.Format(response);
                        if (await idempotency.CompleteAsync(tx, key, body, token))
                        {
                            stored = body;
                            // No call waits (the resolver ended it): the entry Google's retry will be answered from.
                            var entry = call ?? new JournalEntry(Ids.New(), now, method, command.PaymentIntegratorAccountId, requestId, done.ReserveFundsRequestId, null, 200, null, null);
                            journal.RecordExecuted(tx, entry with { HttpStatus = 200, ResponseBody = body });
                        }
                    }
                    else if (done.Error is not null)
                    {
                        await idempotency.ForgetAsync(tx, key, token);
                    }
                }

                return Write.Commit(new CommandRun(true, done, command with { State = state }, stored));
            },
            ct);
        if (run.Resolved)
        {
            metrics.Resolved(command.Kind, state);
            var outcome = result.Describe();
            LogResolved(logger, command.Kind.Wire, command.CommandId, outcome);
        }

        return run;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Back-end {Kind} command {CommandId} resolved: {Outcome}")]
    private static partial void LogResolved(ILogger logger, string kind, string commandId, string outcome);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Back-end {Kind} command {CommandId} has no answer yet, sent again later: {Outcome}")]
    private static partial void LogOpen(ILogger logger, string kind, string commandId, string outcome);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Back-end {Kind} command {CommandId} accepted, awaiting the back end's confirmation")]
    private static partial void LogAwaiting(ILogger logger, string kind, string commandId);
}
