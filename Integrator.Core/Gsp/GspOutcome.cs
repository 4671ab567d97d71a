namespace Integrator.Core.Gsp;

/// <summary>
/// What a Google method's effect decided in its transaction: the response, the expected GSP error, or — when the money
/// lives at a remote back end — the command whose answer the response waits for (<see cref="PendingCommandId"/>).
/// </summary>
public readonly record struct GspOutcome<TResponse>(TResponse? Response, GspError? Error, string? PendingCommandId)
    where TResponse : class
{
    /// <summary>The reservation the call is about when the request does not name it (see <see cref="GspError.ReserveFundsRequestId"/>).</summary>
    public string? ReserveFundsRequestId { get; init; }

    public static implicit operator GspOutcome<TResponse>(TResponse response) => new(response, null, null);

    public static implicit operator GspOutcome<TResponse>(GspError error) => new(null, error, null);

    public static implicit operator GspOutcome<TResponse>(PendingCommand pending) => new(null, null, pending.CommandId);
}
