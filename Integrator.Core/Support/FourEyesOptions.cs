using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Support;

/// <summary>
/// Which money decisions need a second person (<c>Console:FourEyes</c>, README "Support console"): one Operator proposes
/// with a reason, a different one approves. Off by default. While on, the direct action is refused on every channel
/// (console and support API alike) and goes through <see cref="ProposalSupport"/>.
/// </summary>
public sealed class FourEyesOptions
{
    public const string Section = "Console:FourEyes";

    /// <summary>Accepting a remittance statement in DISCREPANCY: agreeing to pay Google what our records dispute.</summary>
    public bool AcceptDiscrepancy { get; set; }

    /// <summary>Sending a DELIVERED notification to Google again.</summary>
    public bool ForcedResend { get; set; }

    /// <summary>Releasing a hold larger than this amount (in the hold's currency); unset: no release needs a second person.</summary>
    [Range(typeof(decimal), "0", "1000000000000")]
    public decimal? ReleaseAbove { get; set; }

    public bool ReleaseNeedsSecondPerson(long amountMicros) => ReleaseAbove is { } limit && amountMicros > limit * 1_000_000m;
}
