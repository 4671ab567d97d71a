namespace Integrator.Core.Backend;

/// <summary>
/// One money movement at a remote back end (db/*/0014_backend.sql): what it moves and for whom, the key the back end
/// de-duplicates by, and where it stands. Everything a completion needs is here, so that whoever resolves it — the
/// Google call that opened it, a retry of it, or the resolver job after a crash — completes it the same way.
/// </summary>
public sealed record BackendCommand
{
    public required string CommandId { get; init; }

    public CommandKind Kind { get; init; }

    /// <summary>The Idempotency-Key: the same on every attempt.</summary>
    public required string CommandKey { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    /// <summary>Google's requestId of the call that caused it (none for a release Integrator decided).</summary>
    public string? RequestId { get; init; }

    /// <summary>The hold at the back end: the key of the HOLD command that placed it.</summary>
    public required string HoldId { get; init; }

    public required string ReservationId { get; init; }

    /// <summary>Our paymentIntegratorCaptureId (a CAPTURE), or the capture a REFUND is of.</summary>
    public string? CaptureId { get; init; }

    /// <summary>Our paymentIntegratorRefundId (a REFUND).</summary>
    public string? RefundId { get; init; }

    public required string AccountId { get; init; }

    public required string CurrencyCode { get; init; }

    public long AmountMicros { get; init; }

    /// <summary>What the back end is told of it: a hold's transaction description, a release's reason.</summary>
    public string? Description { get; init; }

    /// <summary>When a HOLD's reservation expires (fixed when reserveFunds opened it).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public CommandState State { get; init; }

    /// <summary>What the back end answered at the end: a decline's reason, the state that refused it, why it failed.</summary>
    public string? Outcome { get; init; }

    /// <summary>The back end's own id of what it did (a Mollie payment's <c>tr_…</c>), if it gives one.</summary>
    public string? Reference { get; init; }

    /// <summary>The back end's own id of the hold this command acts on (copied from its HOLD when opened).</summary>
    public string? HoldReference { get; init; }

    public long AttemptCount { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpiresAt { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }
}
