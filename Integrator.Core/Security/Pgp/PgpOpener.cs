using System.IO.Compression;
using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

public enum PgpOpenFailure
{
    None,

    /// <summary>Not for us, not decryptable, tampered with or malformed: every cause gets this one answer.</summary>
    Encryption,

    /// <summary>Decrypted, but no valid signature by an active Google signing key.</summary>
    Signature,
}

/// <summary>
/// Opens one OpenPGP message addressed to us, as the message profile (docs/pgp-profile.md) allows it and nothing
/// else: a few PKESK packets addressed to our keys, one integrity-protected packet (SEIPD v1, AES) holding, perhaps
/// ZIP/ZLIB-compressed, one literal data packet between a few one-pass signature packets and the binary signatures
/// they announce (or the literal alone: unsigned). The message is accepted if it carries a valid signature by an
/// active Google signing key and no invalid one by such a key; signatures by unknown, expired or revoked signers are
/// ignored (Google's echo probes send such extras).
/// </summary>
/// <remarks>
/// The work is bounded before it is done: at most one RSA private-key operation per key of ours, at most one signature
/// verification per (Google key, hash algorithm) and none after a failed one, the content hashed once per hash
/// algorithm, decompression stopped at <see cref="MaxContentBytes"/>. Every decryption failure leads to the same
/// outcome by the same path: the session key is decoded in constant time with implicit rejection
/// (<see cref="SessionKeyDecoder"/>), so a bad one ends as the modification-detection failure of any tampered message.
/// </remarks>
public sealed class PgpOpener(PgpKeyring keyring, TimeProvider time, bool allowWildcardRecipient = false)
{
    /// <summary>
    /// Decompressed content larger than this is refused: GSP requests are at most <c>Gsp:MaxRequestBytes</c> (64 KiB by
    /// default), Google's answers smaller; the cap bounds what inflating and hashing a crafted message can cost.
    /// </summary>
    public const int MaxContentBytes = 256 * 1024;

    /// <summary>PKESK packets a message may carry (Google encrypts to each of our active keys: rotation).</summary>
    public const int MaxSessionKeyPackets = 4;

    /// <summary>Signatures a message may carry (Google's own, plus extras its echo probes add).</summary>
    public const int MaxSignatures = 4;

    /// <summary>How far in the future a signature's creation time may be (clock differences).</summary>
    public static readonly TimeSpan SignatureClockTolerance = TimeSpan.FromMinutes(5);

    private const int Sha1Length = 20;
    private const int MdcPacketLength = 2 + Sha1Length;

    public (byte[]? Content, PgpOpenFailure Failure) Open(ReadOnlyMemory<byte> message) => Open(message, new OpenCost());

    internal (byte[]? Content, PgpOpenFailure Failure) Open(ReadOnlyMemory<byte> message, OpenCost cost)
    {
        var now = time.GetUtcNow();
        try
        {
            var inner = Decrypt(message, now, cost);
            var (content, signatures) = ReadSignedContent(inner, cost);
            return HasValidGoogleSignature(content, signatures, now, cost)
                ? (content.ToArray(), PgpOpenFailure.None)
                : (null, PgpOpenFailure.Signature);
        }
        catch (Exception e) when (e is PgpFormatException or CryptographicException or InvalidDataException)
        {
            return (null, PgpOpenFailure.Encryption);
        }
    }

    private byte[] Decrypt(ReadOnlyMemory<byte> message, DateTimeOffset now, OpenCost cost)
    {
        var packets = PacketReader.ReadAll(message, MaxSessionKeyPackets + 1);
        if (packets.Count < 2 || packets[^1].Tag != PacketTag.SymIntegrityProtected
            || packets.Take(packets.Count - 1).Any(p => p.Tag != PacketTag.PublicKeyEncryptedSessionKey))
        {
            throw new PgpFormatException("expected session keys followed by one integrity-protected packet");
        }

        var ours = keyring.DecryptionKeys(now).ToList();
        var tried = new HashSet<PgpKey>();
        var decodings = new List<(SessionKey, int)>();
        foreach (var pkesk in packets.Take(packets.Count - 1))
        {
            var reader = new BodyReader(pkesk.Body.Span);
            if (reader.Byte() != 3)
            {
                continue; // another version: not addressed to a v4 RSA key of ours
            }

            var keyId = unchecked((long)reader.UInt64());
            if (reader.Byte() is not (1 or 2))
            {
                continue; // not RSA: addressed to someone else's key, its body left unread
            }

            var encrypted = reader.Mpi();
            if (reader.Remaining != 0)
            {
                throw new PgpFormatException("trailing octets in PKESK");
            }

            var wildcard = keyId == 0 && allowWildcardRecipient;
            foreach (var key in ours.Where(k => (wildcard || k.KeyId == keyId) && tried.Add(k)))
            {
                cost.RsaPrivateOperations++;
                decodings.Add(DecryptSessionKey(key, encrypted));
            }
        }

        if (decodings.Count == 0)
        {
            throw new PgpFormatException("not encrypted to an active key of ours");
        }

        return DecryptIntegrityProtected(packets[^1].Body.Span, SessionKeyDecoder.First(decodings));
    }

    internal static (SessionKey, int) DecryptSessionKey(PgpKey key, ReadOnlySpan<byte> encrypted)
    {
        var modulusBytes = key.Rsa.KeySize / 8;
        Span<byte> block = stackalloc byte[modulusBytes];
        Span<byte> input = stackalloc byte[modulusBytes];
        input.Clear();
        if (encrypted.Length > modulusBytes || !OpenSslRsa.TryDecryptRaw(key.PrivateHandle!, PadInto(encrypted, input), block))
        {
            block.Clear(); // not below the modulus: public knowledge, decoded (and rejected) like any other block
        }

        var sessionKey = SessionKeyDecoder.Decode(block, input, key.RejectionKey!, out var valid);
        return (sessionKey, valid);
    }

    private static ReadOnlySpan<byte> PadInto(ReadOnlySpan<byte> value, Span<byte> padded)
    {
        value.CopyTo(padded[(padded.Length - value.Length)..]);
        return padded;
    }

    /// <summary>AES-128/192/256 only; older ciphers are refused.</summary>
    internal static int KeyLength(int cipher) => cipher switch
    {
        7 => 16,
        8 => 24,
        9 => 32,
        _ => 0,
    };

    private static byte[] DecryptIntegrityProtected(ReadOnlySpan<byte> body, SessionKey sessionKey)
    {
        var reader = new BodyReader(body);
        if (reader.Byte() != 1)
        {
            throw new PgpFormatException("unsupported integrity-protected packet version");
        }

        var ciphertext = reader.Rest();
        if (ciphertext.Length < 16 + 2 + MdcPacketLength)
        {
            throw new PgpFormatException("integrity-protected packet too short");
        }

        using var aes = Aes.Create();
        aes.Key = sessionKey.Key;
        var plaintext = Cfb.Decrypt(aes, ciphertext);

        // The plaintext is: 16 random octets, 2 repeated, the packets, and an MDC packet (0xD3 0x14 + SHA-1 of all before).
        var mdcStart = plaintext.Length - MdcPacketLength;
        var expected = Mdc(plaintext.AsSpan(0, mdcStart + 2));
        if (plaintext[mdcStart] != 0xD3 || plaintext[mdcStart + 1] != 0x14
            || !CryptographicOperations.FixedTimeEquals(expected, plaintext.AsSpan(mdcStart + 2)))
        {
            throw new CryptographicException("modification detected");
        }

        return plaintext[18..mdcStart];
    }

    /// <summary>The modification detection code of SEIPD v1 (RFC 4880 §5.14), which the format fixes to SHA-1.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 4880 SEIPD v1 defines its MDC as SHA-1; GnuPG 2.2 and Google use SEIPD v1.")]
    internal static byte[] Mdc(ReadOnlySpan<byte> prefixAndPackets) => SHA1.HashData(prefixAndPackets);

    /// <summary>One-pass signatures, literal, signatures (as many as announced), perhaps in one compressed packet; nothing else.</summary>
    private static (ReadOnlyMemory<byte> Content, List<Signature> Signatures) ReadSignedContent(byte[] inner, OpenCost cost)
    {
        const int maxPackets = (2 * MaxSignatures) + 1;
        var packets = PacketReader.ReadAll(inner, maxPackets);
        if (packets is [{ Tag: PacketTag.CompressedData } compressed])
        {
            var decompressed = Decompress(compressed.Body);
            cost.BytesDecompressed += decompressed.Length;
            packets = PacketReader.ReadAll(decompressed, maxPackets);
        }

        var onePass = packets.TakeWhile(p => p.Tag == PacketTag.OnePassSignature).ToList();
        if (packets.Count == onePass.Count || packets[onePass.Count].Tag != PacketTag.LiteralData)
        {
            throw new PgpFormatException("expected one literal data packet after the one-pass signatures");
        }

        var signatures = new List<Signature>();
        foreach (var packet in packets.Skip(onePass.Count + 1))
        {
            if (packet.Tag != PacketTag.Signature || !Signature.TryParse(packet.Body, out var signature))
            {
                throw new PgpFormatException($"unexpected packet {packet.Tag} after the literal data");
            }

            signatures.Add(signature);
        }

        if (signatures.Count > MaxSignatures)
        {
            throw new PgpFormatException("more signatures than the profile allows");
        }

        // Signatures after the literal data are a one-pass signed message (RFC 4880 §11.3): each announced in advance.
        if (!OnePassMatches(onePass, signatures))
        {
            throw new PgpFormatException("one-pass signature packets do not match the signatures");
        }

        return (LiteralContent(packets[onePass.Count].Body), signatures);
    }

    /// <summary>Each one-pass packet announces the signature in the mirrored position (RFC 4880 §5.4).</summary>
    private static bool OnePassMatches(List<Packet> onePass, List<Signature> signatures)
    {
        if (onePass.Count != signatures.Count)
        {
            return false;
        }

        for (var i = 0; i < onePass.Count; i++)
        {
            var reader = new BodyReader(onePass[i].Body.Span);
            var signature = signatures[signatures.Count - 1 - i];
            if (reader.Remaining != 13 || reader.Byte() != 3 || reader.Byte() != signature.Type
                || reader.Byte() != signature.HashAlgorithm || reader.Byte() != signature.PublicKeyAlgorithm
                || unchecked((long)reader.UInt64()) != signature.IssuerKeyId)
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlyMemory<byte> LiteralContent(ReadOnlyMemory<byte> body)
    {
        var reader = new BodyReader(body.Span);
        if (reader.Byte() is not ((byte)'b' or (byte)'t' or (byte)'u' or (byte)'l'))
        {
            throw new PgpFormatException("unknown literal data format");
        }

        reader.Bytes(reader.Byte()); // file name
        reader.UInt32(); // date
        var content = body[reader.Position..];
        return content.Length <= MaxContentBytes ? content : throw new PgpFormatException("content too large");
    }

    /// <summary>ZIP (raw deflate) or ZLIB only, stopped at <see cref="MaxContentBytes"/>; BZip2 is never decoded.</summary>
    private static byte[] Decompress(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 1)
        {
            throw new PgpFormatException("empty compressed packet");
        }

        var data = new MemoryStream(body[1..].ToArray(), writable: false);
        using Stream stream = body.Span[0] switch
        {
            1 => new DeflateStream(data, CompressionMode.Decompress),
            2 => new ZLibStream(data, CompressionMode.Decompress),
            _ => throw new PgpFormatException("compression algorithm not in the profile"),
        };
        var output = new byte[MaxContentBytes + 1];
        var length = 0;
        int read;
        while (length < output.Length && (read = stream.Read(output, length, output.Length - length)) > 0)
        {
            length += read;
        }

        return length <= MaxContentBytes ? output[..length] : throw new PgpFormatException("decompressed content too large");
    }

    /// <summary>
    /// At least one signature by an active Google signing key, and every such signature in the profile and valid (as
    /// GnuPG and Sequoia refuse a message with a bad signature); one per (key, hash algorithm). Signatures by other
    /// keys (unknown, expired, revoked) are ignored without any work.
    /// </summary>
    private bool HasValidGoogleSignature(ReadOnlyMemory<byte> content, List<Signature> signatures, DateTimeOffset now, OpenCost cost)
    {
        var hashes = new Dictionary<HashAlgorithmName, IncrementalHash>();
        var verified = new HashSet<(long, HashAlgorithmName)>();
        try
        {
            foreach (var signature in signatures)
            {
                if (keyring.GoogleSigningKey(signature.IssuerKeyId ?? 0, now) is not { } key)
                {
                    continue;
                }

                if (!signature.IsTimelyFor(key, now, SignatureClockTolerance) || !verified.Add((key.KeyId, signature.Hash!.Value)))
                {
                    return false;
                }

                if (!hashes.TryGetValue(signature.Hash.Value, out var hashed))
                {
                    hashed = IncrementalHash.CreateHash(signature.Hash.Value);
                    hashed.AppendData(content.Span);
                    cost.BytesHashed += content.Length;
                    hashes.Add(signature.Hash.Value, hashed);
                }

                cost.SignatureVerifications++;
                if (!signature.Verify(key.Rsa, hashed))
                {
                    return false;
                }
            }

            return verified.Count > 0;
        }
        finally
        {
            foreach (var hash in hashes.Values)
            {
                hash.Dispose();
            }
        }
    }
}
