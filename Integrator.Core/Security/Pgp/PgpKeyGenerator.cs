using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Integrator.Core.Security.Pgp;

/// <summary>A new key pair of ours: armored secret and public key rings and what identifies them.</summary>
public sealed record GeneratedKeyPair(
    string SecretKeyArmored, string PublicKeyArmored, string Fingerprint, string SigningKeyId, string EncryptionKeyId, DateTimeOffset? ExpiresAt);

/// <summary>
/// Makes a key pair shaped like <c>gpg --full-generate-key</c> makes it and Google asks for: an RSA primary key that
/// signs and certifies, an RSA subkey that encrypts, both expiring together, preferring AES-256 and SHA-384.
/// </summary>
public static class PgpKeyGenerator
{
    public static GeneratedKeyPair Generate(string identity, string passphrase, int bits, TimeSpan? validity, DateTimeOffset now)
    {
        if (bits < PgpKeyring.MinimumRsaBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"Google requires RSA keys of at least {PgpKeyring.MinimumRsaBits} bits.");
        }

        var created = now.UtcDateTime;
        var primary = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, NewRsaKeyPair(bits), created);
        var subkey = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, NewRsaKeyPair(bits), created);

        var primaryPackets = new PgpSignatureSubpacketGenerator();
        primaryPackets.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        primaryPackets.SetPreferredSymmetricAlgorithms(false, [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes192, (int)SymmetricKeyAlgorithmTag.Aes128]);
        primaryPackets.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha256]);
        primaryPackets.SetPreferredCompressionAlgorithms(false, [(int)CompressionAlgorithmTag.Uncompressed, (int)CompressionAlgorithmTag.ZLib, (int)CompressionAlgorithmTag.Zip]);
        primaryPackets.SetFeature(false, Org.BouncyCastle.Bcpg.Sig.Features.FEATURE_MODIFICATION_DETECTION);
        var subkeyPackets = new PgpSignatureSubpacketGenerator();
        subkeyPackets.SetKeyFlags(false, PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage);
        if (validity is { } valid)
        {
            primaryPackets.SetKeyExpirationTime(false, (long)valid.TotalSeconds);
            subkeyPackets.SetKeyExpirationTime(false, (long)valid.TotalSeconds);
        }

        var generator = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification,
            primary,
            identity,
            passphrase.Length == 0 ? SymmetricKeyAlgorithmTag.Null : SymmetricKeyAlgorithmTag.Aes256,
            HashAlgorithmTag.Sha256,
            passphrase.ToCharArray(),
            true,
            primaryPackets.Generate(),
            null,
            new SecureRandom());
        generator.AddSubKey(subkey, subkeyPackets.Generate(), null, HashAlgorithmTag.Sha256);

        var secretRing = generator.GenerateSecretKeyRing();
        var publicRing = generator.GeneratePublicKeyRing();
        return new GeneratedKeyPair(
            Armored(secretRing.Encode),
            Armored(publicRing.Encode),
            Convert.ToHexString(primary.PublicKey.GetFingerprint()),
            primary.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
            subkey.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
            validity is { } v ? now + v : null);
    }

    /// <summary>Key material from OpenSSL (fast); BouncyCastle only writes it into OpenPGP packets.</summary>
    private static AsymmetricCipherKeyPair NewRsaKeyPair(int bits)
    {
        using var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var modulus = new BcBigInteger(1, p.Modulus);
        var exponent = new BcBigInteger(1, p.Exponent);
        return new AsymmetricCipherKeyPair(
            new RsaKeyParameters(false, modulus, exponent),
            new RsaPrivateCrtKeyParameters(
                modulus, exponent, new BcBigInteger(1, p.D), new BcBigInteger(1, p.P), new BcBigInteger(1, p.Q),
                new BcBigInteger(1, p.DP), new BcBigInteger(1, p.DQ), new BcBigInteger(1, p.InverseQ)));
    }

    private static string Armored(Action<Stream> encode)
    {
        using var buffer = new MemoryStream();
        using (var armor = new ArmoredOutputStream(buffer))
        {
            encode(armor);
        }

        return Encoding.ASCII.GetString(buffer.ToArray());
    }
}
