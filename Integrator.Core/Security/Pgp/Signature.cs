using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// A version 4 signature packet (RFC 4880 §5.2.3) as the message profile (docs/pgp-profile.md) judges it. A packet
/// that does not parse is a format error; one that parses but breaks the profile (a text or other non-binary
/// signature, a weak or unknown hash, a non-RSA key, no creation time, an unknown critical subpacket, issuer key id
/// and fingerprint that disagree) is <see cref="Acceptable"/> = false and is never verified, like an unknown signer's.
/// </summary>
internal sealed class Signature
{
    public const byte BinaryDocument = 0x00;
    public const byte HashSha384 = 9;
    public const byte PublicKeyRsa = 1;

    private const byte SubpacketCreationTime = 2;
    private const byte SubpacketExpirationTime = 3;
    private const byte SubpacketIssuer = 16;
    private const byte SubpacketIssuerFingerprint = 33;

    private Signature(byte type, byte publicKeyAlgorithm, HashAlgorithmName? hash, byte[] hashedPortion, ushort leftBits, byte[] value)
    {
        Type = type;
        PublicKeyAlgorithm = publicKeyAlgorithm;
        Hash = hash;
        HashedPortion = hashedPortion;
        LeftBits = leftBits;
        Value = value;
    }

    public byte Type { get; }

    public byte PublicKeyAlgorithm { get; }

    /// <summary>SHA-256, SHA-384 or SHA-512; null for any other hash algorithm.</summary>
    public HashAlgorithmName? Hash { get; }

    /// <summary>The hash algorithm octet as written (what a one-pass signature packet must repeat).</summary>
    public byte HashAlgorithm { get; private set; }

    /// <summary>Version to the end of the hashed subpackets: what the trailer covers.</summary>
    public byte[] HashedPortion { get; }

    public ushort LeftBits { get; }

    public byte[] Value { get; }

    public long? IssuerKeyId { get; private set; }

    /// <summary>The v4 issuer fingerprint subpacket, when present (20 octets).</summary>
    public byte[]? IssuerFingerprint { get; private set; }

    public DateTimeOffset? CreatedAt { get; private set; }

    /// <summary>Signature expiration time subpacket: seconds after creation; null or 0 never expires.</summary>
    public uint? ValidSeconds { get; private set; }

    public bool Acceptable { get; private set; }

    /// <summary>Parses one signature packet body; false when it is not one (a format error for the caller).</summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out Signature signature)
    {
        signature = null!;
        try
        {
            var reader = new BodyReader(body.Span);
            if (reader.Byte() != 4)
            {
                return false;
            }

            var type = reader.Byte();
            var publicKeyAlgorithm = reader.Byte();
            var hashAlgorithm = reader.Byte();
            var hashed = reader.Bytes(reader.UInt16());
            var hashedPortion = body.Span[..reader.Position].ToArray();
            var unhashed = reader.Bytes(reader.UInt16());
            var leftBits = reader.UInt16();
            var value = reader.Mpi().ToArray();
            if (reader.Remaining != 0)
            {
                return false;
            }

            signature = new Signature(type, publicKeyAlgorithm, HashOf(hashAlgorithm), hashedPortion, leftBits, value) { HashAlgorithm = hashAlgorithm };
            var subpacketsAcceptable = signature.ReadSubpackets(hashed, isHashed: true) & signature.ReadSubpackets(unhashed, isHashed: false);
            signature.Acceptable = subpacketsAcceptable
                && type == BinaryDocument
                && publicKeyAlgorithm is 1 or 3
                && signature.Hash is not null
                && signature.CreatedAt is not null
                && signature.IssuerKeyId is not null;
            return true;
        }
        catch (PgpFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks everything but the RSA value against <paramref name="key"/>: made by this key (fingerprint, when named),
    /// after the key was created, not in the future beyond <paramref name="tolerance"/>, and not expired.
    /// </summary>
    public bool IsTimelyFor(PgpKey key, DateTimeOffset now, TimeSpan tolerance) =>
        Acceptable
        && CreatedAt is { } created
        && created >= key.CreatedAt
        && created <= now + tolerance
        && (ValidSeconds is null or 0 || now < created.AddSeconds(ValidSeconds.Value))
        && (IssuerFingerprint is null || IssuerFingerprint.AsSpan().SequenceEqual(key.Fingerprint));

    /// <summary>
    /// Verifies the RSA value, given the content already hashed with this signature's algorithm (the hash is cloned:
    /// the content is hashed once per algorithm, whatever the number of signatures).
    /// </summary>
    public bool Verify(RSA key, IncrementalHash hashedContent)
    {
        using var hasher = hashedContent.Clone();
        hasher.AppendData(HashedPortion);
        Span<byte> trailer = [0x04, 0xFF, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)HashedPortion.Length);
        hasher.AppendData(trailer);
        var digest = hasher.GetHashAndReset();
        if (BinaryPrimitives.ReadUInt16BigEndian(digest) != LeftBits)
        {
            return false;
        }

        var length = key.KeySize / 8;
        if (Value.Length > length)
        {
            return false;
        }

        var padded = new byte[length];
        Value.CopyTo(padded, length - Value.Length);
        return key.VerifyHash(digest, padded, Hash!.Value, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The v4 signature digest: the document, the hashed portion, then 0x04 0xFF and its 4-octet length.</summary>
    public static byte[] Digest(HashAlgorithmName hash, ReadOnlySpan<byte> content, ReadOnlySpan<byte> hashedPortion)
    {
        using var hasher = IncrementalHash.CreateHash(hash);
        hasher.AppendData(content);
        hasher.AppendData(hashedPortion);
        Span<byte> trailer = [0x04, 0xFF, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)hashedPortion.Length);
        hasher.AppendData(trailer);
        return hasher.GetHashAndReset();
    }

    private static HashAlgorithmName? HashOf(byte algorithm) => algorithm switch
    {
        8 => HashAlgorithmName.SHA256,
        9 => HashAlgorithmName.SHA384,
        10 => HashAlgorithmName.SHA512,
        _ => null, // MD5, SHA-1, RIPEMD-160, SHA-224: refused
    };

    /// <summary>Reads a subpacket area; false when it breaks the profile (the packet itself still parsed).</summary>
    private bool ReadSubpackets(ReadOnlySpan<byte> subpackets, bool isHashed)
    {
        var acceptable = true;
        var reader = new BodyReader(subpackets);
        while (reader.Remaining > 0)
        {
            var first = reader.Byte();
            var length = first < 192 ? first
                : first < 255 ? ((first - 192) << 8) + reader.Byte() + 192
                : reader.UInt32() is var long4 && long4 <= int.MaxValue ? (int)long4 : throw new PgpFormatException("subpacket too long");
            var data = reader.Bytes(length);
            if (data.IsEmpty)
            {
                throw new PgpFormatException("empty signature subpacket");
            }

            var critical = (data[0] & 0x80) != 0;
            var body = data[1..];
            switch (data[0] & 0x7F)
            {
                case SubpacketCreationTime when isHashed && body.Length == 4 && CreatedAt is null:
                    CreatedAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(body));
                    break;
                case SubpacketCreationTime:
                    acceptable = false; // unhashed, malformed or twice
                    break;
                case SubpacketExpirationTime when isHashed && body.Length == 4 && ValidSeconds is null:
                    ValidSeconds = BinaryPrimitives.ReadUInt32BigEndian(body);
                    break;
                case SubpacketExpirationTime:
                    acceptable = false;
                    break;
                case SubpacketIssuer when body.Length == 8:
                    acceptable &= SetIssuer(unchecked((long)BinaryPrimitives.ReadUInt64BigEndian(body)));
                    break;
                case SubpacketIssuerFingerprint when body.Length == 21 && body[0] == 4:
                    acceptable &= IssuerFingerprint is null || body[1..].SequenceEqual(IssuerFingerprint);
                    IssuerFingerprint ??= body[1..].ToArray();
                    acceptable &= SetIssuer(unchecked((long)BinaryPrimitives.ReadUInt64BigEndian(body[^8..])));
                    break;
                case SubpacketIssuer or SubpacketIssuerFingerprint:
                    acceptable = false;
                    break;
                default:
                    acceptable &= !critical; // a critical subpacket we do not understand voids the signature
                    break;
            }
        }

        return acceptable;
    }

    private bool SetIssuer(long keyId)
    {
        if (IssuerKeyId is { } known)
        {
            return known == keyId;
        }

        IssuerKeyId = keyId;
        return true;
    }

    /// <summary>Hashed subpackets of the signatures we make: creation time and issuer fingerprint.</summary>
    public static byte[] HashedSubpackets(DateTimeOffset created, ReadOnlySpan<byte> fingerprint)
    {
        var subpackets = new byte[6 + 23];
        subpackets[0] = 5;
        subpackets[1] = SubpacketCreationTime;
        BinaryPrimitives.WriteUInt32BigEndian(subpackets.AsSpan(2), (uint)created.ToUnixTimeSeconds());
        subpackets[6] = 22;
        subpackets[7] = SubpacketIssuerFingerprint;
        subpackets[8] = 4;
        fingerprint.CopyTo(subpackets.AsSpan(9));
        return subpackets;
    }

    /// <summary>Unhashed subpackets: the issuer key id, for older verifiers.</summary>
    public static byte[] UnhashedSubpackets(long keyId)
    {
        var subpackets = new byte[10];
        subpackets[0] = 9;
        subpackets[1] = SubpacketIssuer;
        BinaryPrimitives.WriteUInt64BigEndian(subpackets.AsSpan(2), unchecked((ulong)keyId));
        return subpackets;
    }
}
