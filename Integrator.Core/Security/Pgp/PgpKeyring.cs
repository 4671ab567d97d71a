using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// Our secret keys and Google's public keys, loaded from armored files at startup with BouncyCastle (key files only:
/// no message an attacker sends is parsed by it). Only keys whose self-signatures verify are kept
/// (<see cref="PgpKeyFacts"/>).
/// </summary>
public sealed class PgpKeyring
{
    public const int MinimumRsaBits = 2048;

    private const string PrivateSetting = "MessageSecurity:Pgp:PrivateKeyFiles";
    private const string GoogleSetting = "MessageSecurity:Pgp:GooglePublicKeyFiles";

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
            using var stream = PgpUtilities.GetDecoderStream(OpenKeyFile(file, PrivateSetting));
            bundle = new PgpSecretKeyRingBundle(stream);
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            // BouncyCastle throws several types for malformed files (found by fuzz/afl.sh keyfile): all mean the same.
            throw new InvalidOperationException($"{PrivateSetting}: '{file}' is not an armored OpenPGP secret key: {e.Message}", e);
        }

        var keys = new List<PgpKey>();
        foreach (var ring in bundle.GetKeyRings())
        {
            foreach (var facts in Facts(ring.GetPublicKeys(), file, PrivateSetting))
            {
                var secret = ring.GetSecretKey(facts.KeyId);
                if (secret is null || secret.IsPrivateKeyEmpty)
                {
                    continue; // a stub: the secret half lives elsewhere (e.g. a smartcard)
                }

                if (facts.Usage == (KeyUsage.Sign | KeyUsage.Encrypt))
                {
                    throw new InvalidOperationException(
                        $"{PrivateSetting}: key {facts.KeyId:X16} in '{file}' may both sign and encrypt; use a signing primary key and an encryption subkey (keygen makes them so).");
                }

                PgpPrivateKey privateKey;
                try
                {
                    privateKey = secret.ExtractPrivateKey(passphrase.ToCharArray());
                }
                catch (PgpException e)
                {
                    throw new InvalidOperationException(
                        $"{PrivateSetting}: key {facts.KeyId:X16} in '{file}' cannot be unlocked with MessageSecurity:Pgp:Passphrase.", e);
                }

                if (privateKey.Key is not RsaPrivateCrtKeyParameters rsa)
                {
                    throw new InvalidOperationException($"{PrivateSetting}: key {facts.KeyId:X16} in '{file}' is not an RSA key.");
                }

                CheckStrength(facts, file);
                var parameters = ToParameters(rsa);
                var net = RSA.Create();
                net.ImportParameters(parameters);
                var parts = new PgpKey.SecretParts(OpenSslRsa.PrivateKey(parameters), SessionKeyDecoder.RejectionKey(parameters));
                keys.Add(new PgpKey(facts, net, file, parts));
            }
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"{PrivateSetting}: '{file}' holds no usable secret key (none with a valid self-signature).");
    }

    private static List<PgpKey> LoadPublicKeys(string file)
    {
        PgpPublicKeyRingBundle bundle;
        try
        {
            using var stream = PgpUtilities.GetDecoderStream(OpenKeyFile(file, GoogleSetting));
            bundle = new PgpPublicKeyRingBundle(stream);
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException($"{GoogleSetting}: '{file}' is not an armored OpenPGP public key: {e.Message}", e);
        }

        var keys = new List<PgpKey>();
        foreach (var ring in bundle.GetKeyRings())
        {
            foreach (var facts in Facts(ring.GetPublicKeys(), file, GoogleSetting))
            {
                if (facts.Key.GetKey() is not RsaKeyParameters rsa)
                {
                    continue; // Google's keys are RSA; anything else is not used
                }

                CheckStrength(facts, file);
                var net = RSA.Create();
                net.ImportParameters(new RSAParameters { Modulus = rsa.Modulus.ToByteArrayUnsigned(), Exponent = rsa.Exponent.ToByteArrayUnsigned() });
                keys.Add(new PgpKey(facts, net, file));
            }
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"{GoogleSetting}: '{file}' holds no usable RSA public key (none with a valid self-signature).");
    }

    private static List<PgpKeyFacts> Facts(IEnumerable<PgpPublicKey> ring, string file, string setting)
    {
        try
        {
            return PgpKeyFacts.Of(ring.ToList());
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException($"{setting}: '{file}' holds a malformed key or signature: {e.Message}", e);
        }
    }

    private static void CheckStrength(PgpKeyFacts facts, string file)
    {
        if (facts.Key.BitStrength < MinimumRsaBits)
        {
            throw new InvalidOperationException($"Key {facts.KeyId:X16} in '{file}' has {facts.Key.BitStrength} bits; at least {MinimumRsaBits} are required.");
        }
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

    private static RSAParameters ToParameters(RsaPrivateCrtKeyParameters secret)
    {
        var modulus = secret.Modulus.ToByteArrayUnsigned();
        var half = (modulus.Length + 1) / 2;
        return new RSAParameters
        {
            Modulus = modulus,
            Exponent = secret.PublicExponent.ToByteArrayUnsigned(),
            D = Padded(secret.Exponent, modulus.Length),
            P = Padded(secret.P, half),
            Q = Padded(secret.Q, half),
            DP = Padded(secret.DP, half),
            DQ = Padded(secret.DQ, half),
            InverseQ = Padded(secret.QInv, half),
        };
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
