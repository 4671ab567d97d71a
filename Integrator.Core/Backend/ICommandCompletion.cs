using Integrator.Core.Gsp;
using Integrator.Core.Storage;

namespace Integrator.Core.Backend;

/// <summary>
/// What a resolved command means for the request that caused it: the 200 Google gets (stamped and stored by the
/// runner), the error it gets instead (never remembered), or nothing (a release, whose cancel was answered when the
/// command was opened). <paramref name="ReserveFundsRequestId"/> names the reservation in the call's journal entry.
/// </summary>
public sealed record Completion(IGspResponse? Response, GspError? Error, string? ReserveFundsRequestId = null)
{
    public static readonly Completion None = new(null, null);

    /// <summary>The same answer, for a method that gave it in its own transaction (the embedded ledger).</summary>
    public GspOutcome<TResponse> Outcome<TResponse>()
        where TResponse : class, IGspResponse =>
        Error is { } error ? error : (TResponse)Response!;
}

/// <summary>
/// How one kind of command ends, in the transaction that resolves it: each feature knows its own (Reservations the
/// hold and the capture, Refunds the refund, Cancellation the release), so the back end's folder knows none of them.
/// </summary>
public interface ICommandCompletion
{
    CommandKind Kind { get; }

    /// <summary>The GSP method whose call a command of this kind answers (its idempotency record's method), if any.</summary>
    string? Method { get; }

    Task<Completion> CompleteAsync(DbTx tx, BackendCommand command, BackendResult result, DateTimeOffset now, CancellationToken ct);
}
