using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// What the verified signatures of a key ring say about one of its keys, as GnuPG judges it: a primary key needs a
/// valid self-signature (user ID certification or direct-key signature); a subkey needs a valid binding signature by its
/// primary key and, if it may sign, a valid primary-key binding (back-)signature by itself; the newest valid
/// self-signature gives the key flags and the expiry; a revocation counts only when its signature verifies. Keys that
/// fail are left out (an unbound subkey appended to a file is ignored, as GnuPG drops it).
/// </summary>
internal sealed record PgpKeyFacts(
    PgpPublicKey Key, long KeyId, byte[] Fingerprint, byte[] PrimaryFingerprint, DateTimeOffset CreatedAt, KeyUsage Usage, DateTimeOffset? ExpiresAt, bool Revoked)
{
    private static readonly int[] Certifications =
        [PgpSignature.DefaultCertification, PgpSignature.NoCertification, PgpSignature.CasualCertification, PgpSignature.PositiveCertification];

    /// <summary>The usable keys of one ring, primary first; empty when the primary key has no valid self-signature.</summary>
    public static List<PgpKeyFacts> Of(IReadOnlyList<PgpPublicKey> ring)
    {
        var primary = ring[0];
        var facts = new List<PgpKeyFacts>();
        var selfSignature = Newest(SelfSignatures(primary));
        if (selfSignature is null)
        {
            return facts;
        }

        var primaryRevoked = primary.GetSignaturesOfType(PgpSignature.KeyRevocation)
            .Any(s => s.KeyId == primary.KeyId && Verifies(s, primary, v => v.VerifyCertification(primary)));
        var primaryExpiry = ExpiryOf(primary, selfSignature);
        facts.Add(Describe(primary, primary, selfSignature, primaryExpiry, primaryRevoked));

        foreach (var subkey in ring.Skip(1))
        {
            var binding = Newest(subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding)
                .Where(s => s.KeyId == primary.KeyId && Verifies(s, primary, v => v.VerifyCertification(primary, subkey))
                    && (!CanSign(s) || HasBackSignature(s, primary, subkey))));
            if (binding is null)
            {
                continue;
            }

            var revoked = primaryRevoked || subkey.GetSignaturesOfType(PgpSignature.SubkeyRevocation)
                .Any(s => s.KeyId == primary.KeyId && Verifies(s, primary, v => v.VerifyCertification(primary, subkey)));
            var expiry = ExpiryOf(subkey, binding);
            if (primaryExpiry is { } limit && (expiry is null || limit < expiry))
            {
                expiry = limit;
            }

            facts.Add(Describe(subkey, primary, binding, expiry, revoked));
        }

        return facts;
    }

    private static PgpKeyFacts Describe(PgpPublicKey key, PgpPublicKey primary, PgpSignature selfSignature, DateTimeOffset? expiresAt, bool revoked) =>
        new(key, key.KeyId, key.GetFingerprint(), primary.GetFingerprint(), Created(key), UsageOf(selfSignature), expiresAt, revoked);

    private static IEnumerable<PgpSignature> SelfSignatures(PgpPublicKey primary)
    {
        foreach (var userId in primary.GetUserIds())
        {
            foreach (var signature in primary.GetSignaturesForId(userId) ?? [])
            {
                if (signature.KeyId == primary.KeyId && Certifications.Contains(signature.SignatureType)
                    && Verifies(signature, primary, s => s.VerifyCertification(userId, primary)))
                {
                    yield return signature;
                }
            }
        }

        foreach (var signature in primary.GetSignaturesOfType(PgpSignature.DirectKey))
        {
            if (signature.KeyId == primary.KeyId && Verifies(signature, primary, s => s.VerifyCertification(primary)))
            {
                yield return signature;
            }
        }
    }

    private static bool HasBackSignature(PgpSignature binding, PgpPublicKey primary, PgpPublicKey subkey)
    {
        var embedded = new List<PgpSignature>();
        foreach (var vector in new[] { binding.GetHashedSubPackets(), binding.GetUnhashedSubPackets() })
        {
            if (vector is null)
            {
                continue;
            }

            try
            {
                var list = vector.GetEmbeddedSignatures();
                for (var i = 0; i < list.Count; i++)
                {
                    embedded.Add(list[i]);
                }
            }
            catch (PgpException)
            {
                // a malformed embedded signature binds nothing
            }
        }

        return embedded.Any(s => s.SignatureType == PgpSignature.PrimaryKeyBinding
            && Verifies(s, subkey, v => v.VerifyCertification(primary, subkey)));
    }

    private static bool Verifies(PgpSignature signature, PgpPublicKey signer, Func<PgpSignature, bool> verify)
    {
        try
        {
            signature.InitVerify(signer);
            return verify(signature);
        }
        catch (Exception e) when (e is PgpException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            return false;
        }
    }

    private static PgpSignature? Newest(IEnumerable<PgpSignature> signatures) =>
        signatures.OrderByDescending(s => s.CreationTime).FirstOrDefault();

    private static DateTimeOffset Created(PgpPublicKey key) => new(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc));

    /// <summary>The key expiration time subpacket of the newest self-signature: seconds after the key's creation.</summary>
    private static DateTimeOffset? ExpiryOf(PgpPublicKey key, PgpSignature selfSignature) =>
        selfSignature.GetHashedSubPackets()?.GetKeyExpirationTime() is > 0 and var seconds ? Created(key).AddSeconds(seconds) : null;

    private static bool CanSign(PgpSignature selfSignature) => (UsageOf(selfSignature) & KeyUsage.Sign) != 0;

    /// <summary>Key flags of the self-signature; an RSA key without flags may do both (RFC 4880 §5.2.3.21).</summary>
    private static KeyUsage UsageOf(PgpSignature selfSignature)
    {
        var packets = selfSignature.GetHashedSubPackets();
        if (packets is null || !packets.HasSubpacket(SignatureSubpacketTag.KeyFlags))
        {
            return KeyUsage.Sign | KeyUsage.Encrypt;
        }

        var flags = packets.GetKeyFlags();
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
}
