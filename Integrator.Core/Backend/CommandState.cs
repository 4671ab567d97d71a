using Integrator.Core.Storage;

namespace Integrator.Core.Backend;

/// <summary>
/// Where a command is. PENDING: to be sent (again, with the same key) until the back end answers definitely; AWAITING:
/// accepted, the back end confirms later (a release in progress: checked by polling, or on its event); then one of
/// CONFIRMED (done), DECLINED (the account refused: a business answer), REFUSED (the hold was in another state: a
/// release of a captured hold, a capture of a released one) or FAILED (the back end refused the request itself).
/// </summary>
public readonly record struct CommandState : IWireValue<CommandState>
{
    public static readonly CommandState Pending = new("PENDING");
    public static readonly CommandState Awaiting = new("AWAITING");
    public static readonly CommandState Confirmed = new("CONFIRMED");
    public static readonly CommandState Declined = new("DECLINED");
    public static readonly CommandState Refused = new("REFUSED");
    public static readonly CommandState Failed = new("FAILED");

    private CommandState(string wire) => Wire = wire;

    public string Wire { get; }

    public static IReadOnlyList<CommandState> All { get; } = [Pending, Awaiting, Confirmed, Declined, Refused, Failed];

    /// <summary>Its outcome is not known yet: it is sent or checked again.</summary>
    public bool IsOpen => this == Pending || this == Awaiting;

    public override string ToString() => Wire;
}
