namespace Integrator.Core.Security.Pgp;

/// <summary>What opening one message cost: the work an attacker can make us do, bounded by the profile.</summary>
internal sealed class OpenCost
{
    public int RsaPrivateOperations { get; set; }

    public int SignatureVerifications { get; set; }

    public long BytesHashed { get; set; }

    public long BytesDecompressed { get; set; }
}
