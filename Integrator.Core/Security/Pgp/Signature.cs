using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// A version 4 document signature (RFC 4880 §5.2.3) over binary (0x00) or canonical text (0x01), made with RSA and
/// SHA-256, SHA-384 or SHA-512. Anything else (older versions, weak hashes, other algorithms) is not a signature we
/// can accept, and is skipped like an unknown signer's.
/// </summary>
internal sealed class Signature
{
    public const byte BinaryDocument = 0x00;
    public const byte TextDocument = 0x01;
    public const byte HashSha384 = 9;
    public const byte PublicKeyRsa = 1;

    private const byte SubpacketCreationTime = 2;
    private const byte SubpacketIssuer = 16;
    private const byte SubpacketIssuerFingerprint = 33;

    private Signature(byte type, HashAlgorithmName hash, byte[] hashedPortion, ushort leftBits, byte[] value, long issuerKeyId)
    {
        Type = type;
        Hash = hash;
        HashedPortion = hashedPortion;
        LeftBits = leftBits;
        Value = value;
        IssuerKeyId = issuerKeyId;
    }

    public byte Type { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>Version to the end of the hashed subpackets: what the trailer covers.</summary>
    public byte[] HashedPortion { get; }

    public ushort LeftBits { get; }

    public byte[] Value { get; }

    public long IssuerKeyId { get; }

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
            var hash = HashOf(reader.Byte());
            var hashed = reader.Bytes(reader.UInt16());
            var hashedPortion = body.Span[..reader.Position].ToArray();
            var unhashed = reader.Bytes(reader.UInt16());
            var leftBits = reader.UInt16();
            var value = reader.Mpi().ToArray();
            var issuer = IssuerOf(hashed) ?? IssuerOf(unhashed);
            if (type is not (BinaryDocument or TextDocument) || publicKeyAlgorithm is not (1 or 3) || hash is null || issuer is null)
            {
                return false;
            }

            signature = new Signature(type, hash.Value, hashedPortion, leftBits, value, issuer.Value);
            return true;
        }
        catch (PgpFormatException)
        {
            return false;
        }
    }

    public bool Verify(RSA key, ReadOnlySpan<byte> content)
    {
        var digest = Digest(Hash, Type, content, HashedPortion);
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
        return key.VerifyHash(digest, padded, Hash, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The v4 signature digest: the document, the hashed portion, then 0x04 0xFF and its 4-octet length.</summary>
    public static byte[] Digest(HashAlgorithmName hash, byte type, ReadOnlySpan<byte> content, ReadOnlySpan<byte> hashedPortion)
    {
        using var hasher = IncrementalHash.CreateHash(hash);
        if (type == TextDocument)
        {
            AppendCanonicalText(hasher, content);
        }
        else
        {
            hasher.AppendData(content);
        }

        hasher.AppendData(hashedPortion);
        Span<byte> trailer = [0x04, 0xFF, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)hashedPortion.Length);
        hasher.AppendData(trailer);
        return hasher.GetHashAndReset();
    }

    /// <summary>Text signatures hash lines ending in CR LF, whatever the literal data uses.</summary>
    private static void AppendCanonicalText(IncrementalHash hasher, ReadOnlySpan<byte> content)
    {
        ReadOnlySpan<byte> crlf = [0x0D, 0x0A];
        while (!content.IsEmpty)
        {
            var newline = content.IndexOf((byte)0x0A);
            if (newline < 0)
            {
                hasher.AppendData(content);
                return;
            }

            var line = content[..newline];
            hasher.AppendData(line.EndsWith((byte)0x0D) ? line[..^1] : line);
            hasher.AppendData(crlf);
            content = content[(newline + 1)..];
        }
    }

    private static HashAlgorithmName? HashOf(byte algorithm) => algorithm switch
    {
        8 => HashAlgorithmName.SHA256,
        9 => HashAlgorithmName.SHA384,
        10 => HashAlgorithmName.SHA512,
        _ => null, // MD5, SHA-1, RIPEMD-160, SHA-224: refused
    };

    private static long? IssuerOf(ReadOnlySpan<byte> subpackets)
    {
        var reader = new BodyReader(subpackets);
        while (reader.Remaining > 0)
        {
            var first = reader.Byte();
            var length = first < 192 ? first
                : first < 255 ? ((first - 192) << 8) + reader.Byte() + 192
                : (int)reader.UInt32();
            var data = reader.Bytes(length);
            if (data.IsEmpty)
            {
                continue;
            }

            switch (data[0] & 0x7F)
            {
                case SubpacketIssuer when data.Length == 9:
                    return unchecked((long)BinaryPrimitives.ReadUInt64BigEndian(data[1..]));
                case SubpacketIssuerFingerprint when data.Length == 22 && data[1] == 4:
                    return unchecked((long)BinaryPrimitives.ReadUInt64BigEndian(data[^8..]));
            }
        }

        return null;
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
