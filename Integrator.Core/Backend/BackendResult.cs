using Integrator.Core.Ledger;

namespace Integrator.Core.Backend;

/// <summary>How an attempt ended, as the command's state takes it.</summary>
public enum BackendVerdict
{
    /// <summary>Done: the hold is placed, released, captured, or the refund made.</summary>
    Confirmed,

    /// <summary>The account refused it (<see cref="BackendResult.Refusal"/>): a business answer.</summary>
    Declined,

    /// <summary>The hold is in another state (<see cref="BackendResult.State"/>): captured, released or expired.</summary>
    Refused,

    /// <summary>Accepted, to be confirmed later (a release in progress).</summary>
    Awaiting,

    /// <summary>The back end refused the request itself (an unknown account, a 4xx): the command fails, for support.</summary>
    Failed,

    /// <summary>No definite answer (a timeout, a lost connection, a 5xx, an answer that makes no sense): try again.</summary>
    Unknown,
}

/// <summary>
/// What one attempt at the back end learned: the verdict, its details, and the attempt itself as support sees it
/// (HTTP status, latency, error). Never an exception: anything the back end answers becomes one of these.
/// </summary>
public sealed record BackendResult(
    BackendVerdict Verdict, int? HttpStatus, long LatencyMs, string? Error = null, AccountRefusal Refusal = AccountRefusal.None, string? State = null, string? Reference = null)
{
    /// <summary>The outcome as stored on the command and shown to support.</summary>
    public string Describe() => Verdict switch
    {
        BackendVerdict.Confirmed => "confirmed",
        BackendVerdict.Declined => $"declined: {Refusal}",
        BackendVerdict.Refused => $"refused: {State}",
        BackendVerdict.Awaiting => "accepted, to be confirmed",
        BackendVerdict.Failed => $"failed: {Error}",
        _ => $"unknown: {Error}",
    };
}
