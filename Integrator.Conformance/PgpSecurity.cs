using System.Buffers.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Integrator.Conformance;

/// <summary>How the kit, in Google's place, seals requests to the target and opens its answers (PGP mode).</summary>
public sealed class PgpSecurity
{
    private readonly Lazy<(SigningKey Key, PgpPublicKeyRing Public, PgpPrivateKey Decrypting)> _stranger = new(OpenPgp.Stranger);

    private PgpSecurity(PgpPublicKeyRing target, SigningKey google, Dictionary<long, PgpPrivateKey> googleDecrypting)
    {
        TargetKey = target;
        Google = google;
        GoogleDecrypting = googleDecrypting;
    }

    public PgpPublicKeyRing TargetKey { get; }

    public SigningKey Google { get; }

    public IReadOnlyDictionary<long, PgpPrivateKey> GoogleDecrypting { get; }

    /// <summary>A key the target has never seen (made at first use).</summary>
    public SigningKey Stranger => _stranger.Value.Key;

    public PgpPublicKeyRing StrangerPublic => _stranger.Value.Public;

    public static PgpSecurity Load(string targetPublicKeyFile, string googleSecretKeyFile, string passphrase) => new(
        OpenPgp.LoadPublicKey(targetPublicKeyFile),
        OpenPgp.LoadSigningKey(googleSecretKeyFile, passphrase),
        OpenPgp.LoadDecryptingKeys(googleSecretKeyFile, passphrase));

    /// <summary>The body Google sends: base64url of the message, signed by <paramref name="signers"/> (default Google) and encrypted.</summary>
    public byte[] Seal(byte[] json, IReadOnlyList<SigningKey>? signers = null, PgpPublicKeyRing? recipient = null) =>
        System.Text.Encoding.ASCII.GetBytes(Base64Url.EncodeToString(OpenPgp.SignAndEncrypt(json, signers ?? [Google], recipient ?? TargetKey)));

    /// <summary>The JSON of a sealed body from the target, or null if it does not decrypt to Google or is not signed by the target.</summary>
    public byte[]? Open(byte[] body)
    {
        try
        {
            return OpenPgp.DecryptAndVerify(Base64Url.DecodeFromUtf8(body.AsSpan().Trim(" \t\r\n"u8)), GoogleDecrypting, TargetKey);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
