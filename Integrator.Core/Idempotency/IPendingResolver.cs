using Integrator.Core.Gsp;
using Integrator.Core.Journal;

namespace Integrator.Core.Idempotency;

/// <summary>What came of a claim waiting for a back end: its 200 body, the error it ended in, or nothing yet.</summary>
public sealed record PendingResolution(string? Body, GspError? Error)
{
    public static readonly PendingResolution Unknown = new(null, null);
}

/// <summary>
/// Resolves a claimed key whose answer waits for a remote back end (Core/Backend): sends or checks its command within
/// <c>Backend:Timeout</c> and, if the back end answers, completes the key (its body stored, or the claim dropped for an
/// error) and journals the call as its entry names it.
/// </summary>
public interface IPendingResolver
{
    /// <param name="openedCommandId">The command this call has just opened (and so holds), or null for a retry.</param>
    Task<PendingResolution> ResolveAsync(IdempotencyKey key, string? openedCommandId, JournalEntry journal, CancellationToken ct);
}
