using Integrator.Core.Storage;

namespace Integrator.Core.Ledger;

/// <summary>An account's standing, as the seed and the database name it: ACTIVE, ON_HOLD or CLOSED.</summary>
public readonly record struct AccountStatus : IWireValue<AccountStatus>
{
    public static readonly AccountStatus Active = new("ACTIVE");
    public static readonly AccountStatus OnHold = new("ON_HOLD");
    public static readonly AccountStatus Closed = new("CLOSED");

    private AccountStatus(string wire) => Wire = wire;

    public string Wire { get; }

    public static IReadOnlyList<AccountStatus> All { get; } = [Active, OnHold, Closed];

    public override string ToString() => Wire;
}
