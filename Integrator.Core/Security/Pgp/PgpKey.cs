using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

[Flags]
public enum KeyUsage
{
    None = 0,
    Sign = 1,
    Encrypt = 2,
}

/// <summary>
/// One RSA key (a primary key or a subkey) as the codec uses it: .NET's OpenSSL-backed <see cref="RSA"/> for speed, and
/// what its verified self-signatures say it may do and until when. A subkey is no more valid than its primary key.
/// </summary>
public sealed class PgpKey
{
    internal PgpKey(PgpKeyFacts facts, RSA rsa, string file, SecretParts? secret = null)
    {
        KeyId = facts.KeyId;
        Fingerprint = facts.Fingerprint;
        PrimaryFingerprint = facts.PrimaryFingerprint;
        CreatedAt = facts.CreatedAt;
        Usage = facts.Usage;
        ExpiresAt = facts.ExpiresAt;
        Revoked = facts.Revoked;
        Rsa = rsa;
        File = file;
        PrivateHandle = secret?.Handle;
        RejectionKey = secret?.RejectionKey;
    }

    public long KeyId { get; }

    /// <summary>The v4 fingerprint (SHA-1 of the key packet), 20 bytes.</summary>
    public byte[] Fingerprint { get; }

    /// <summary>The fingerprint of the primary key this key belongs to (its own, for a primary key).</summary>
    public byte[] PrimaryFingerprint { get; }

    public DateTimeOffset CreatedAt { get; }

    internal RSA Rsa { get; }

    /// <summary>Our keys only: the OpenSSL handle for the raw RSA operation of <see cref="OpenSslRsa"/>.</summary>
    internal SafeEvpPKeyHandle? PrivateHandle { get; }

    /// <summary>Our keys only: the secret of <see cref="SessionKeyDecoder.RejectionKey"/>.</summary>
    internal byte[]? RejectionKey { get; }

    public KeyUsage Usage { get; }

    public DateTimeOffset? ExpiresAt { get; }

    public bool Revoked { get; }

    public string File { get; }

    public string FingerprintHex => Convert.ToHexString(Fingerprint);

    public string KeyIdHex => KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    public bool IsActiveAt(DateTimeOffset now) => !Revoked && (ExpiresAt is null || now < ExpiresAt);

    public bool Can(KeyUsage usage, DateTimeOffset now) => (Usage & usage) == usage && IsActiveAt(now);

    internal sealed record SecretParts(SafeEvpPKeyHandle Handle, byte[] RejectionKey);
}
