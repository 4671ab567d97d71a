using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

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
/// what the key may do and until when. A subkey is no more valid than its primary key.
/// </summary>
public sealed class PgpKey
{
    internal PgpKey(long keyId, byte[] fingerprint, RSA rsa, KeyUsage usage, DateTimeOffset? expiresAt, bool revoked, string file)
    {
        KeyId = keyId;
        Fingerprint = fingerprint;
        Rsa = rsa;
        Usage = usage;
        ExpiresAt = expiresAt;
        Revoked = revoked;
        File = file;
    }

    public long KeyId { get; }

    /// <summary>The v4 fingerprint (SHA-1 of the key packet), 20 bytes.</summary>
    public byte[] Fingerprint { get; }

    internal RSA Rsa { get; }

    public KeyUsage Usage { get; }

    public DateTimeOffset? ExpiresAt { get; }

    public bool Revoked { get; }

    public string File { get; }

    public string KeyIdHex => KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);

    public bool IsActiveAt(DateTimeOffset now) => !Revoked && (ExpiresAt is null || now < ExpiresAt);

    public bool Can(KeyUsage usage, DateTimeOffset now) => (Usage & usage) == usage && IsActiveAt(now);
}

/// <summary>Our secret keys and Google's public keys, loaded from armored files at startup.</summary>
public sealed class PgpKeyring
{
    public const int MinimumRsaBits = 2048;

    private PgpKeyring(IReadOnlyList<PgpKey> ours, IReadOnlyList<PgpKey> google)
    {
        Ours = ours;
        Google = google;
    }

    /// <summary>Our keys in configuration order: every active one may decrypt, the first active signing key signs.</summary>
    public IReadOnlyList<PgpKey> Ours { get; }

    public IReadOnlyList<PgpKey> Google { get; }

    /// <summary>Reads every key file; any problem stops startup with a message that names the file.</summary>
    public static PgpKeyring Load(IEnumerable<string> privateKeyFiles, string passphrase, IEnumerable<string> googlePublicKeyFiles)
    {
        var ours = privateKeyFiles.SelectMany(file => LoadSecretKeys(file, passphrase)).ToList();
        var google = googlePublicKeyFiles.SelectMany(LoadPublicKeys).ToList();
        return new PgpKeyring(ours, google);
    }

    public PgpKey? SigningKey(DateTimeOffset now) => Ours.FirstOrDefault(k => k.Can(KeyUsage.Sign, now));

    public IEnumerable<PgpKey> DecryptionKeys(DateTimeOffset now) => Ours.Where(k => k.Can(KeyUsage.Encrypt, now));

    public IEnumerable<PgpKey> GoogleEncryptionKeys(DateTimeOffset now) => Google.Where(k => k.Can(KeyUsage.Encrypt, now));

    public PgpKey? GoogleSigningKey(long keyId, DateTimeOffset now) =>
        Google.FirstOrDefault(k => k.KeyId == keyId && k.Can(KeyUsage.Sign, now));

    private static List<PgpKey> LoadSecretKeys(string file, string passphrase)
    {
        PgpSecretKeyRingBundle bundle;
        try
        {
            using var stream = PgpUtilities.GetDecoderStream(OpenKeyFile(file, "MessageSecurity:Pgp:PrivateKeyFiles"));
            bundle = new PgpSecretKeyRingBundle(stream);
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new InvalidOperationException($"MessageSecurity:Pgp:PrivateKeyFiles: '{file}' is not an armored OpenPGP secret key: {e.Message}", e);
        }

        var keys = new List<PgpKey>();
        foreach (PgpSecretKeyRing ring in bundle.GetKeyRings())
        {
            var primary = ring.GetPublicKey();
            foreach (PgpSecretKey secret in ring.GetSecretKeys())
            {
                if (secret.IsPrivateKeyEmpty)
                {
                    continue; // a stub: the secret half lives elsewhere (e.g. a smartcard)
                }

                PgpPrivateKey privateKey;
                try
                {
                    privateKey = secret.ExtractPrivateKey(passphrase.ToCharArray());
                }
                catch (PgpException e)
                {
                    throw new InvalidOperationException(
                        $"MessageSecurity:Pgp:PrivateKeyFiles: key {secret.KeyId:X16} in '{file}' cannot be unlocked with MessageSecurity:Pgp:Passphrase.", e);
                }

                if (privateKey.Key is not RsaPrivateCrtKeyParameters rsa)
                {
                    throw new InvalidOperationException($"MessageSecurity:Pgp:PrivateKeyFiles: key {secret.KeyId:X16} in '{file}' is not an RSA key.");
                }

                keys.Add(Describe(secret.PublicKey, primary, ToRsa(rsa), file));
            }
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"MessageSecurity:Pgp:PrivateKeyFiles: '{file}' holds no secret key.");
    }

    private static List<PgpKey> LoadPublicKeys(string file)
    {
        PgpPublicKeyRingBundle bundle;
        try
        {
            using var stream = PgpUtilities.GetDecoderStream(OpenKeyFile(file, "MessageSecurity:Pgp:GooglePublicKeyFiles"));
            bundle = new PgpPublicKeyRingBundle(stream);
        }
        catch (Exception e) when (e is PgpException or IOException)
        {
            throw new InvalidOperationException($"MessageSecurity:Pgp:GooglePublicKeyFiles: '{file}' is not an armored OpenPGP public key: {e.Message}", e);
        }

        var keys = new List<PgpKey>();
        foreach (PgpPublicKeyRing ring in bundle.GetKeyRings())
        {
            var primary = ring.GetPublicKey();
            foreach (PgpPublicKey key in ring.GetPublicKeys())
            {
                if (key.GetKey() is not RsaKeyParameters rsa)
                {
                    continue; // Google's keys are RSA; anything else is not used
                }

                keys.Add(Describe(key, primary, ToRsa(rsa), file));
            }
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"MessageSecurity:Pgp:GooglePublicKeyFiles: '{file}' holds no RSA public key.");
    }

    private static FileStream OpenKeyFile(string file, string setting)
    {
        try
        {
            return System.IO.File.OpenRead(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: '{file}' cannot be read: {e.Message}", e);
        }
    }

    private static PgpKey Describe(PgpPublicKey key, PgpPublicKey primary, RSA rsa, string file)
    {
        if (key.BitStrength < MinimumRsaBits)
        {
            throw new InvalidOperationException($"Key {key.KeyId:X16} in '{file}' has {key.BitStrength} bits; at least {MinimumRsaBits} are required.");
        }

        var expiresAt = ExpiryOf(key);
        if (!key.IsMasterKey && ExpiryOf(primary) is { } primaryExpiry && (expiresAt is null || primaryExpiry < expiresAt))
        {
            expiresAt = primaryExpiry;
        }

        return new PgpKey(
            key.KeyId,
            key.GetFingerprint(),
            rsa,
            UsageOf(key),
            expiresAt,
            key.IsRevoked() || primary.IsRevoked(),
            file);
    }

    private static DateTimeOffset? ExpiryOf(PgpPublicKey key) =>
        key.GetValidSeconds() is > 0 and var seconds
            ? new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)).AddSeconds(seconds)
            : null;

    /// <summary>Key flags from the newest self-signature (or subkey binding); RSA keys without flags may do both.</summary>
    private static KeyUsage UsageOf(PgpPublicKey key)
    {
        var signatureTypes = key.IsMasterKey
            ? new[] { PgpSignature.PositiveCertification, PgpSignature.CasualCertification, PgpSignature.NoCertification, PgpSignature.DefaultCertification, PgpSignature.DirectKey }
            : new[] { PgpSignature.SubkeyBinding };
        var flags = signatureTypes
            .SelectMany(type => key.GetSignaturesOfType(type).Cast<PgpSignature>())
            .Where(s => s.HasSubpackets && s.GetHashedSubPackets().HasSubpacket(SignatureSubpacketTag.KeyFlags))
            .OrderByDescending(s => s.CreationTime)
            .Select(s => s.GetHashedSubPackets().GetKeyFlags())
            .FirstOrDefault(-1);
        if (flags < 0)
        {
            return KeyUsage.Sign | KeyUsage.Encrypt;
        }

        var usage = KeyUsage.None;
        if ((flags & PgpKeyFlags.CanSign) != 0)
        {
            usage |= KeyUsage.Sign;
        }

        if ((flags & (PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage)) != 0)
        {
            usage |= KeyUsage.Encrypt;
        }

        return usage;
    }

    private static RSA ToRsa(RsaKeyParameters key)
    {
        var rsa = RSA.Create();
        var modulus = key.Modulus.ToByteArrayUnsigned();
        if (key is RsaPrivateCrtKeyParameters secret)
        {
            var half = (modulus.Length + 1) / 2;
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = modulus,
                Exponent = secret.PublicExponent.ToByteArrayUnsigned(),
                D = Padded(secret.Exponent, modulus.Length),
                P = Padded(secret.P, half),
                Q = Padded(secret.Q, half),
                DP = Padded(secret.DP, half),
                DQ = Padded(secret.DQ, half),
                InverseQ = Padded(secret.QInv, half),
            });
        }
        else
        {
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = key.Exponent.ToByteArrayUnsigned() });
        }

        return rsa;
    }

    private static byte[] Padded(BigInteger value, int length)
    {
        var bytes = value.ToByteArrayUnsigned();
        if (bytes.Length >= length)
        {
            return bytes;
        }

        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
