using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// Makes the OpenPGP message we send to Google, in one pass, as <c>gpg --sign --digest-algo SHA384 --encrypt
/// --cipher-algo AES256</c> would: a one-pass signature packet, the literal data and a v4 SHA-384 signature by our
/// first active signing key, inside an AES-256 integrity-protected packet whose session key is encrypted to every
/// active Google encryption key (rotation). Binary, uncompressed.
/// </summary>
public sealed class PgpSealer(PgpKeyring keyring, TimeProvider time)
{
    private const byte CipherAes256 = 9;

    public byte[] Seal(ReadOnlySpan<byte> content)
    {
        var now = time.GetUtcNow();
        var signer = keyring.SigningKey(now)
            ?? throw new InvalidOperationException("No active signing key of ours (MessageSecurity:Pgp:PrivateKeyFiles).");
        var recipients = keyring.GoogleEncryptionKeys(now).ToList();
        return recipients.Count > 0
            ? Seal(content, signer, recipients, now)
            : throw new InvalidOperationException("No active Google encryption key (MessageSecurity:Pgp:GooglePublicKeyFiles).");
    }

    /// <summary>Seals with exactly these keys, whatever their validity (tests make messages GnuPG refuses to make).</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> content, PgpKey signer, IReadOnlyList<PgpKey> recipients, DateTimeOffset now) =>
        Encrypt(SignedLiteral(content, signer, now), recipients);

    /// <summary>PKESKs to every recipient, then <paramref name="inner"/> in one AES-256 integrity-protected packet.</summary>
    internal static byte[] Encrypt(ReadOnlySpan<byte> inner, IReadOnlyList<PgpKey> recipients)
    {
        var sessionKey = RandomNumberGenerator.GetBytes(32);
        using var message = new MemoryStream(inner.Length + (300 * (recipients.Count + 1)));
        foreach (var recipient in recipients)
        {
            PacketWriter.Write(message, PacketTag.PublicKeyEncryptedSessionKey, EncryptedSessionKey(recipient, sessionKey));
        }

        PacketWriter.Write(message, PacketTag.SymIntegrityProtected, IntegrityProtected(inner, sessionKey));
        return message.ToArray();
    }

    internal static byte[] SignedLiteral(ReadOnlySpan<byte> content, PgpKey signer, DateTimeOffset now)
    {
        using var packets = new MemoryStream(content.Length + 400);

        // One-pass signature: version 3, binary document, SHA-384, RSA, issuer, last (not nested).
        PacketWriter.Write(packets, PacketTag.OnePassSignature, OnePass(Signature.BinaryDocument, Signature.HashSha384, signer.KeyId));

        // Literal data: binary, no file name, no date.
        using (var literal = new MemoryStream(content.Length + 6))
        {
            literal.Write([(byte)'b', 0, 0, 0, 0, 0]);
            literal.Write(content);
            PacketWriter.Write(packets, PacketTag.LiteralData, literal.ToArray());
        }

        var signature = SignatureBody(
            signer, content, Signature.BinaryDocument, Signature.HashSha384, Signature.HashedSubpackets(now, signer.Fingerprint), Signature.UnhashedSubpackets(signer.KeyId));
        PacketWriter.Write(packets, PacketTag.Signature, signature);
        return packets.ToArray();
    }

    internal static byte[] OnePass(byte type, byte hashAlgorithm, long keyId)
    {
        using var onePass = new MemoryStream(13);
        onePass.Write([3, type, hashAlgorithm, Signature.PublicKeyRsa]);
        PacketWriter.WriteUInt64(onePass, unchecked((ulong)keyId));
        onePass.WriteByte(1);
        return onePass.ToArray();
    }

    /// <summary>A v4 RSA signature packet body over <paramref name="content"/> as given (binary: no canonicalisation).</summary>
    internal static byte[] SignatureBody(PgpKey signer, ReadOnlySpan<byte> content, byte type, byte hashAlgorithm, byte[] hashedSubpackets, byte[] unhashedSubpackets)
    {
        var hash = hashAlgorithm switch
        {
            8 => HashAlgorithmName.SHA256,
            10 => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA384,
        };
        using var hashedPortion = new MemoryStream(6 + hashedSubpackets.Length);
        hashedPortion.Write([4, type, Signature.PublicKeyRsa, hashAlgorithm]);
        PacketWriter.WriteUInt16(hashedPortion, hashedSubpackets.Length);
        hashedPortion.Write(hashedSubpackets);
        var hashed = hashedPortion.ToArray();
        var digest = Signature.Digest(hash, content, hashed);
        var value = signer.Rsa.SignHash(digest, hash, RSASignaturePadding.Pkcs1);

        using var signature = new MemoryStream(hashed.Length + value.Length + 20);
        signature.Write(hashed);
        PacketWriter.WriteUInt16(signature, unhashedSubpackets.Length);
        signature.Write(unhashedSubpackets);
        signature.Write(digest.AsSpan(0, 2));
        PacketWriter.WriteMpi(signature, value);
        return signature.ToArray();
    }

    private static byte[] EncryptedSessionKey(PgpKey recipient, byte[] sessionKey)
    {
        // [cipher][key][checksum], encrypted with EME-PKCS1-v1_5.
        var plain = new byte[1 + sessionKey.Length + 2];
        plain[0] = CipherAes256;
        sessionKey.CopyTo(plain, 1);
        var sum = 0;
        foreach (var b in sessionKey)
        {
            sum = (sum + b) & 0xFFFF;
        }

        plain[^2] = (byte)(sum >> 8);
        plain[^1] = (byte)(sum & 0xFF);
        var encrypted = recipient.Rsa.Encrypt(plain, RSAEncryptionPadding.Pkcs1);

        using var body = new MemoryStream(encrypted.Length + 12);
        body.WriteByte(3);
        PacketWriter.WriteUInt64(body, unchecked((ulong)recipient.KeyId));
        body.WriteByte(Signature.PublicKeyRsa);
        PacketWriter.WriteMpi(body, encrypted);
        return body.ToArray();
    }

    private static byte[] IntegrityProtected(ReadOnlySpan<byte> inner, byte[] sessionKey)
    {
        // 16 random octets, the last two repeated, the packets, then the MDC packet over all of it.
        var plaintext = new byte[18 + inner.Length + 22];
        RandomNumberGenerator.Fill(plaintext.AsSpan(0, 16));
        plaintext[16] = plaintext[14];
        plaintext[17] = plaintext[15];
        inner.CopyTo(plaintext.AsSpan(18));
        var mdcStart = 18 + inner.Length;
        plaintext[mdcStart] = 0xD3;
        plaintext[mdcStart + 1] = 0x14;
        PgpOpener.Mdc(plaintext.AsSpan(0, mdcStart + 2)).CopyTo(plaintext, mdcStart + 2);

        using var aes = Aes.Create();
        aes.Key = sessionKey;
        var encrypted = Cfb.Encrypt(aes, plaintext);
        var body = new byte[1 + encrypted.Length];
        body[0] = 1;
        encrypted.CopyTo(body, 1);
        return body;
    }
}
