using Integrator.Core.Storage;

namespace Integrator.Core.Backend;

/// <summary>What a back-end command moves: a HOLD placed, RELEASEd, CAPTUREd, or a capture REFUNDed.</summary>
public readonly record struct CommandKind : IWireValue<CommandKind>
{
    public static readonly CommandKind Hold = new("HOLD");
    public static readonly CommandKind Release = new("RELEASE");
    public static readonly CommandKind Capture = new("CAPTURE");
    public static readonly CommandKind Refund = new("REFUND");

    private CommandKind(string wire) => Wire = wire;

    public string Wire { get; }

    public static IReadOnlyList<CommandKind> All { get; } = [Hold, Release, Capture, Refund];

    public override string ToString() => Wire;
}
