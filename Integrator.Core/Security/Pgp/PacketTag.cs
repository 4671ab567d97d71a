namespace Integrator.Core.Security.Pgp;

/// <summary>OpenPGP packet tags used here (RFC 4880 §4.3).</summary>
internal static class PacketTag
{
    public const int PublicKeyEncryptedSessionKey = 1;
    public const int Signature = 2;
    public const int OnePassSignature = 4;
    public const int CompressedData = 8;
    public const int SymmetricallyEncrypted = 9;
    public const int Marker = 10;
    public const int LiteralData = 11;
    public const int SymIntegrityProtected = 18;
    public const int ModificationDetectionCode = 19;
}
