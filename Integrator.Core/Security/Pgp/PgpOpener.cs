using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Org.BouncyCastle.Apache.Bzip2;

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
/// Opens one OpenPGP message addressed to us: PKESK packets, then one integrity-protected encrypted packet (SEIPD v1)
/// that holds a literal data packet and its signatures, possibly compressed. The session key is decrypted with any of
/// our active keys; the message is accepted if at least one signature is a valid one by an active Google signing key
/// (unknown, expired and revoked signers are ignored, as Google's echo probes require).
/// </summary>
/// <remarks>
/// Every decryption failure leads to the same outcome by the same path: a session key that does not decrypt or parse
/// is replaced by a random one, so the message then fails its modification detection code like any tampered message
/// (no padding or format oracle). The "quick check" octets are deliberately ignored (RFC 4880 §14).
/// </remarks>
public sealed class PgpOpener(PgpKeyring keyring, TimeProvider time)
{
    /// <summary>Decompressed content larger than this is refused (compression bombs).</summary>
    public const int MaxContentBytes = 1024 * 1024;

    private const int Sha1Length = 20;
    private const int MdcPacketLength = 2 + Sha1Length;

    public (byte[]? Content, PgpOpenFailure Failure) Open(ReadOnlyMemory<byte> message)
    {
        var now = time.GetUtcNow();
        byte[] packets;
        try
        {
            packets = Decrypt(message, now);
        }
        catch (Exception e) when (e is PgpFormatException or CryptographicException)
        {
            return (null, PgpOpenFailure.Encryption);
        }

        try
        {
            var (content, signatures) = ReadSignedContent(packets);
            return signatures.Any(s => IsValidGoogleSignature(s, content, now))
                ? (content.ToArray(), PgpOpenFailure.None)
                : (null, PgpOpenFailure.Signature);
        }
        catch (Exception e) when (e is PgpFormatException or InvalidDataException or IOException)
        {
            return (null, PgpOpenFailure.Encryption);
        }
    }

    private byte[] Decrypt(ReadOnlyMemory<byte> message, DateTimeOffset now)
    {
        var packets = PacketReader.ReadAll(message).Where(p => p.Tag != PacketTag.Marker).ToList();
        if (packets.Count < 2 || packets[^1].Tag != PacketTag.SymIntegrityProtected
            || packets.Take(packets.Count - 1).Any(p => p.Tag != PacketTag.PublicKeyEncryptedSessionKey))
        {
            throw new PgpFormatException("expected session keys followed by one integrity-protected packet");
        }

        var addressedToUs = false;
        byte[]? sessionKey = null;
        var cipher = 0;
        foreach (var pkesk in packets.Take(packets.Count - 1))
        {
            var reader = new BodyReader(pkesk.Body.Span);
            if (reader.Byte() != 3)
            {
                continue;
            }

            var keyId = unchecked((long)reader.UInt64());
            var algorithm = reader.Byte();
            if (algorithm is not (1 or 2))
            {
                continue; // not RSA
            }

            var encrypted = reader.Mpi();
            foreach (var key in keyring.DecryptionKeys(now).Where(k => keyId == 0 || k.KeyId == keyId))
            {
                addressedToUs = true;
                if (TryDecryptSessionKey(key, encrypted, out cipher, out sessionKey))
                {
                    break;
                }
            }

            if (sessionKey is not null)
            {
                break;
            }
        }

        if (!addressedToUs)
        {
            throw new PgpFormatException("not encrypted to an active key of ours");
        }

        if (sessionKey is null)
        {
            // Implicit rejection: continue with a random key so that this failure is the MDC failure below.
            cipher = 9;
            sessionKey = RandomNumberGenerator.GetBytes(32);
        }

        return DecryptIntegrityProtected(packets[^1].Body.Span, cipher, sessionKey);
    }

    private static bool TryDecryptSessionKey(PgpKey key, ReadOnlySpan<byte> encrypted, out int cipher, out byte[]? sessionKey)
    {
        cipher = 0;
        sessionKey = null;
        var modulusBytes = key.Rsa.KeySize / 8;
        if (encrypted.Length > modulusBytes)
        {
            return false;
        }

        var block = new byte[modulusBytes];
        encrypted.CopyTo(block.AsSpan(modulusBytes - encrypted.Length));
        byte[] decrypted;
        try
        {
            decrypted = key.Rsa.Decrypt(block, RSAEncryptionPadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }

        // [cipher algorithm][key][two-octet checksum: sum of the key octets mod 65536]
        if (decrypted.Length < 3)
        {
            return false;
        }

        var keyLength = KeyLength(decrypted[0]);
        if (keyLength == 0 || decrypted.Length != 1 + keyLength + 2)
        {
            return false;
        }

        var material = decrypted.AsSpan(1, keyLength);
        var sum = 0;
        foreach (var b in material)
        {
            sum = (sum + b) & 0xFFFF;
        }

        if (sum != BinaryPrimitives.ReadUInt16BigEndian(decrypted.AsSpan(1 + keyLength)))
        {
            return false;
        }

        cipher = decrypted[0];
        sessionKey = material.ToArray();
        return true;
    }

    /// <summary>AES-128/192/256 only; older ciphers are refused.</summary>
    internal static int KeyLength(int cipher) => cipher switch
    {
        7 => 16,
        8 => 24,
        9 => 32,
        _ => 0,
    };

    private static byte[] DecryptIntegrityProtected(ReadOnlySpan<byte> body, int cipher, byte[] sessionKey)
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
        aes.Key = sessionKey.Length == KeyLength(cipher) ? sessionKey : throw new PgpFormatException("session key length");
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

    private static (ReadOnlyMemory<byte> Content, List<Signature> Signatures) ReadSignedContent(byte[] inner)
    {
        var packets = PacketReader.ReadAll(inner);
        if (packets is [{ Tag: PacketTag.CompressedData } compressed])
        {
            packets = PacketReader.ReadAll(Decompress(compressed.Body));
        }

        ReadOnlyMemory<byte>? content = null;
        var signatures = new List<Signature>();
        foreach (var packet in packets)
        {
            switch (packet.Tag)
            {
                case PacketTag.LiteralData when content is null:
                    content = LiteralContent(packet.Body);
                    break;
                case PacketTag.Signature:
                    if (Signature.TryParse(packet.Body, out var signature))
                    {
                        signatures.Add(signature);
                    }

                    break;
                case PacketTag.OnePassSignature or PacketTag.Marker:
                    break;
                default:
                    throw new PgpFormatException($"unexpected packet {packet.Tag} in a signed message");
            }
        }

        return (content ?? throw new PgpFormatException("no literal data"), signatures);
    }

    private static ReadOnlyMemory<byte> LiteralContent(ReadOnlyMemory<byte> body)
    {
        var reader = new BodyReader(body.Span);
        reader.Byte(); // format: b, t, u or l; the signature type says how the bytes are hashed
        reader.Bytes(reader.Byte()); // file name
        reader.UInt32(); // date
        return body[reader.Position..];
    }

    private static byte[] Decompress(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 1)
        {
            throw new PgpFormatException("empty compressed packet");
        }

        var data = new MemoryStream(body[1..].ToArray(), writable: false);
        using Stream stream = body.Span[0] switch
        {
            0 => data,
            1 => new DeflateStream(data, CompressionMode.Decompress),
            2 => new ZLibStream(data, CompressionMode.Decompress),
            3 => new CBZip2InputStream(data),
            _ => throw new PgpFormatException("unknown compression algorithm"),
        };
        using var output = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (output.Length + read > MaxContentBytes)
            {
                throw new PgpFormatException("decompressed content too large");
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private bool IsValidGoogleSignature(Signature signature, ReadOnlyMemory<byte> content, DateTimeOffset now) =>
        keyring.GoogleSigningKey(signature.IssuerKeyId, now) is { } key && signature.Verify(key.Rsa, content.Span);
}
