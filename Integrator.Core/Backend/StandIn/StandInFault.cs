namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// A fault the stand-in core plays on request (<c>POST /dev/core/faults</c>, or a test): for the next <see cref="Count"/>
/// calls of <see cref="Operation"/> (<c>hold</c>, <c>release</c>, <c>capture</c>, <c>refund</c>, <c>check</c>,
/// <c>account</c>, or <c>*</c>), or until <see cref="Until"/>.
/// </summary>
public sealed record StandInFault
{
    /// <summary>503 before anything is done.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>400: the core refuses the request itself (nothing done).</summary>
    public const string Reject = "reject";

    /// <summary>The effect is done, then the answer waits <see cref="DelayMs"/> (longer than Integrator waits, say).</summary>
    public const string Slow = "slow";

    /// <summary>The effect is done, then the connection drops: the answer is lost.</summary>
    public const string Lose = "lose";

    /// <summary>
    /// A release is accepted (202) and finished after <see cref="DelayMs"/>, then its event or webhook; at Mollie, a
    /// payment's authorization too stays <c>pending</c> that long.
    /// </summary>
    public const string Pending = "pending";

    /// <summary>The effect is done, then the answer is not JSON.</summary>
    public const string Malformed = "malformed";

    /// <summary>The effect is done, then the answer has a status the contract does not know.</summary>
    public const string UnknownStatus = "unknown-status";

    /// <summary>The effect is done, then a 200 names another hold or refund.</summary>
    public const string WrongId = "wrong-id";

    /// <summary>The effect is done, then the answer is a megabyte long.</summary>
    public const string Huge = "huge";

    public static IReadOnlyList<string> Kinds { get; } = [Unavailable, Reject, Slow, Lose, Pending, Malformed, UnknownStatus, WrongId, Huge];

    public static IReadOnlyList<string> Operations { get; } = ["*", "hold", "release", "capture", "refund", "check", "account"];

    public required string Kind { get; init; }

    public string Operation { get; init; } = "*";

    /// <summary>How many calls it applies to (0: every call until <see cref="Until"/>).</summary>
    public int Count { get; init; } = 1;

    public DateTimeOffset? Until { get; init; }

    public int DelayMs { get; init; }

    public bool Matches(string operation) => Operation == "*" || Operation == operation;
}
