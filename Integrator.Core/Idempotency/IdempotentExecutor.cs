using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Journal;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Idempotency;

public enum ExecutionKind
{
    /// <summary>The work ran and committed with its 200 body, journal entry and side effects.</summary>
    FirstExecution,

    /// <summary>The key was completed before with the same request: the stored body is answered again, freshly stamped.</summary>
    Replay,

    /// <summary>Nothing was committed; the error is answered and not remembered.</summary>
    Refused,

    /// <summary>The claim and a back-end command were committed; the answer waits for the back end.</summary>
    Pending,
}

/// <param name="PendingCommandId">For <see cref="ExecutionKind.Pending"/>: the back-end command the answer waits for.</param>
public readonly record struct Execution(ExecutionKind Kind, string? Body, GspError? Error, string? PendingCommandId = null);

/// <summary>
/// A Google call about to be run at most once. <see cref="Journal"/> is its journal entry, completed with the 200 body
/// and written only when the call executes.
/// </summary>
public sealed record IdempotentCall(IdempotencyKey Key, string Method, string Fingerprint, JournalEntry Journal);

/// <summary>
/// Runs a Google method at most once per idempotency key (docs/gsp-rules.md §3): replays the stored 200 body for the same
/// request, refuses a different request under the same key (412), lets a concurrent duplicate wait for the first
/// and then replay it, and never remembers an error, so a retry after one is processed afresh. In one transaction it
/// claims the key, runs the method, stores the body and writes the journal entry. When the method's answer waits for
/// a remote back end, the claim and the back-end command commit first, and the answer follows once the back end gives
/// one (<see cref="IPendingResolver"/>): within <c>Backend:Timeout</c>, or on a retry (503 meanwhile, never a cached error).
/// </summary>
public sealed class IdempotentExecutor(
    Database database,
    IdempotencyStore store,
    RequestJournal journal,
    InFlightRequests inFlight,
    RecentResponses recent,
    IPendingResolver pending,
    IOptions<IdempotencyOptions> options,
    TimeProvider time)
{
    private readonly TimeSpan _inFlightWait = options.Value.InFlightWait;

    public async Task<Execution> ExecuteAsync<TRequest, TResponse>(
        IdempotentCall call, TRequest request, IGspMethod<TRequest, TResponse> method, CancellationToken ct)
        where TRequest : class, IGspRequest
        where TResponse : class, IGspResponse, IMessage<TResponse>, new()
    {
        using var span = Telemetry.Source.StartActivity($"idempotent {call.Method}");
        if (recent.Find(call.Key) is { } answered)
        {
            span?.SetTag("gsp.replayed_from", "memory");
            return ReplayOrRefuse(answered, call);
        }

        using var slot = await inFlight.TryEnterAsync(call.Key, _inFlightWait, ct);
        if (slot is null)
        {
            return new Execution(ExecutionKind.Refused, null, GspError.StillInFlight());
        }

        if (await store.FindDurableAsync(call.Key, ct) is { } stored)
        {
            return await AnswerFromStoreAsync(stored, call, ct);
        }

        try
        {
            var execution = await database.WriteAsync(
                async (tx, token) =>
                {
                    var now = time.GetUtcNow();
                    store.Claim(tx, call.Key, call.Method, call.Fingerprint, now);
                    var outcome = await method.ExecuteAsync(request, tx, now, token);
                    if (outcome.Error is { } error)
                    {
                        return Write.RollBack(new Execution(ExecutionKind.Refused, null, error));
                    }

                    if (outcome.PendingCommandId is not null)
                    {
                        // The claim (with no body yet) and the command commit together: whatever happens next, a retry
                        // finds both and the command is sent with the same key.
                        return Write.Commit(new Execution(ExecutionKind.Pending, null, null, outcome.PendingCommandId));
                    }

                    outcome.Response!.ResponseHeader = ResponseHeader.At(now);
                    var body = GspJson.Format(outcome.Response);
                    store.CompleteOwnClaim(tx, call.Key, body);
                    journal.RecordExecuted(
                        tx,
                        call.Journal with { HttpStatus = 200, ResponseBody = body, ReserveFundsRequestId = outcome.ReserveFundsRequestId ?? call.Journal.ReserveFundsRequestId });
                    return Write.Commit(new Execution(ExecutionKind.FirstExecution, body, null));
                },
                ct);
            if (execution.Kind == ExecutionKind.Pending)
            {
                return await ResolveAsync(call, execution.PendingCommandId, ct);
            }

            if (execution.Kind == ExecutionKind.FirstExecution)
            {
                Remember(call, execution.Body!);
            }

            return execution;
        }
        catch (Exception e) when (database.Classify(e) == StorageFault.DuplicateKey)
        {
            // Another instance completed this key between our look-up and our claim.
            var winner = await store.FindDurableAsync(call.Key, ct);
            if (winner is null)
            {
                throw;
            }

            return await AnswerFromStoreAsync(winner, call, ct);
        }
    }

    /// <summary>A key found claimed: its answer again, or, if it still waits for the back end, the wait goes on here.</summary>
    private async Task<Execution> AnswerFromStoreAsync(IdempotencyRecord stored, IdempotentCall call, CancellationToken ct) =>
        stored.IsPending && stored.Method == call.Method && stored.Fingerprint == call.Fingerprint
            ? await ResolveAsync(call, null, ct)
            : ReplayOrRefuse(stored, call);

    /// <summary>A claimed key waiting for the back end: its answer if the back end gives one now, else 503 (Google retries).</summary>
    private async Task<Execution> ResolveAsync(IdempotentCall call, string? openedCommandId, CancellationToken ct)
    {
        var resolution = await pending.ResolveAsync(call.Key, openedCommandId, call.Journal, ct);
        if (resolution.Body is { } body)
        {
            Remember(call, body);
            return new Execution(ExecutionKind.FirstExecution, body, null);
        }

        return new Execution(ExecutionKind.Refused, null, resolution.Error ?? GspError.BackendUnknown());
    }

    private void Remember(IdempotentCall call, string body) =>
        recent.Add(call.Key, new IdempotencyRecord { Method = call.Method, Fingerprint = call.Fingerprint, ResponseBody = body });

    private Execution ReplayOrRefuse(IdempotencyRecord completed, IdempotentCall call)
    {
        if (completed.Method != call.Method || completed.Fingerprint != call.Fingerprint)
        {
            return new Execution(ExecutionKind.Refused, null, GspError.IdempotencyViolation());
        }

        journal.CountReplay(call.Key);
        var body = StoredResponses.Refreshed(completed.Method, completed.ResponseBody, time.GetUtcNow());
        return new Execution(ExecutionKind.Replay, body, null);
    }
}
