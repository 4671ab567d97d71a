using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Integrator.Core.Security.Pgp;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Builds OpenPGP messages packet by packet, valid or deliberately not, with the test keys: what Google sends and what
/// an attacker holding our public key and Google's key id could send. The session key and MDC are always valid, so the
/// inner layers are reached.
/// </summary>
public sealed class CraftedPgp
{
    public const byte HashSha256 = 8;
    public const byte HashSha384 = 9;
    public const byte HashSha512 = 10;

    public CraftedPgp()
    {
        Server = PgpKeyring.Load([TestKeys.Secret("integrator-1")], TestKeys.Passphrase, [TestKeys.Public("google-1")]);
        var google = TestKeys.GoogleKeyring();
        Google = google.Ours.First(k => k.Usage.HasFlag(KeyUsage.Sign));
        Recipient = google.Google.First(k => k.Usage.HasFlag(KeyUsage.Encrypt));
        Stranger = PgpKeyring.Load([TestKeys.Secret("stranger")], TestKeys.Passphrase, []).Ours.First(k => k.Usage.HasFlag(KeyUsage.Sign));
    }

    /// <summary>The server's view: integrator-1's secret key, google-1's public key.</summary>
    public PgpKeyring Server { get; }

    /// <summary>google-1's signing key (the secret half: tests play Google).</summary>
    public PgpKey Google { get; }

    /// <summary>integrator-1's encryption subkey (public half), what Google encrypts to.</summary>
    public PgpKey Recipient { get; }

    public PgpKey Stranger { get; }

    public PgpOpener Opener(bool allowWildcardRecipient = false) => new(Server, TimeProvider.System, allowWildcardRecipient);

    internal (byte[]? Content, PgpOpenFailure Failure, OpenCost Cost) Open(byte[] message, bool allowWildcardRecipient = false)
    {
        var cost = new OpenCost();
        var (content, failure) = Opener(allowWildcardRecipient).Open(message, cost);
        return (content, failure, cost);
    }

    /// <summary>The inner packets, encrypted to integrator-1 with a valid session key and MDC.</summary>
    public byte[] Seal(byte[] inner) => PgpSealer.Encrypt(inner, [Recipient]);

    /// <summary>What the sealer makes: one-pass, literal, SHA-384 signature by Google.</summary>
    public byte[] Valid(byte[] content) => Seal(Concat(OnePass(Google), Literal(content), Signature(Google, content)));

    public static byte[] Packet(int tag, ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream();
        PacketWriter.Write(output, tag, body);
        return output.ToArray();
    }

    /// <summary>A new-format packet streamed in partial-length chunks of 512 octets (the body must be longer).</summary>
    public static byte[] PartialPacket(int tag, ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream();
        output.WriteByte((byte)(0xC0 | tag));
        while (body.Length > 512)
        {
            output.WriteByte(0xE0 + 9); // 2^9
            output.Write(body[..512]);
            body = body[512..];
        }

        if (body.Length < 192)
        {
            output.WriteByte((byte)body.Length);
        }
        else
        {
            output.WriteByte((byte)(((body.Length - 192) >> 8) + 192));
            output.WriteByte((byte)((body.Length - 192) & 0xFF));
        }

        output.Write(body);
        return output.ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Literal(ReadOnlySpan<byte> content, byte format = (byte)'b') => Packet(11, Concat([format, 0, 0, 0, 0, 0], content.ToArray()));

    /// <summary>A one-pass signature packet; <paramref name="last"/>: the one right before the literal (RFC 4880 §5.4).</summary>
    public static byte[] OnePass(PgpKey signer, byte type = 0, byte hash = HashSha384, bool last = true)
    {
        var body = PgpSealer.OnePass(type, hash, signer.KeyId);
        body[^1] = last ? (byte)1 : (byte)0;
        return Packet(4, body);
    }

    public static byte[] Compressed(byte algorithm, byte[] inner)
    {
        using var output = new MemoryStream();
        output.WriteByte(algorithm);
        switch (algorithm)
        {
            case 1:
                using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
                {
                    deflate.Write(inner);
                }

                break;
            case 2:
                using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
                {
                    zlib.Write(inner);
                }

                break;
            default:
                output.Write(inner);
                break;
        }

        return Packet(8, output.ToArray());
    }

    /// <summary>A signature packet; by default binary, SHA-384, created now, issuer fingerprint hashed, key id unhashed.</summary>
    public static byte[] Signature(PgpKey signer, ReadOnlySpan<byte> content, byte type = 0, byte hash = HashSha384, byte[]? hashed = null, byte[]? unhashed = null) =>
        Packet(2, SignatureBody(signer, content, type, hash, hashed, unhashed));

    public static byte[] SignatureBody(PgpKey signer, ReadOnlySpan<byte> content, byte type = 0, byte hash = HashSha384, byte[]? hashed = null, byte[]? unhashed = null) =>
        PgpSealer.SignatureBody(
            signer, content, type, hash, hashed ?? Concat(CreationTime(DateTimeOffset.UtcNow), IssuerFingerprint(signer)), unhashed ?? Issuer(signer.KeyId));

    public static byte[] Subpacket(byte type, ReadOnlySpan<byte> data, bool critical = false) =>
        Concat([(byte)(data.Length + 1), (byte)(critical ? type | 0x80 : type)], data.ToArray());

    public static byte[] CreationTime(DateTimeOffset time)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)time.ToUnixTimeSeconds());
        return Subpacket(2, data);
    }

    public static byte[] ExpirationTime(uint seconds)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(data, seconds);
        return Subpacket(3, data);
    }

    public static byte[] Issuer(long keyId)
    {
        var data = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(data, unchecked((ulong)keyId));
        return Subpacket(16, data);
    }

    public static byte[] IssuerFingerprint(PgpKey key) => Subpacket(33, Concat([4], key.Fingerprint));

    /// <summary>A PKESK packet (v3, RSA) for <paramref name="keyId"/> holding random octets of a 2048-bit MPI.</summary>
    public static byte[] RandomSessionKeyPacket(long keyId)
    {
        var body = new byte[1 + 8 + 1 + 2 + 256];
        body[0] = 3;
        BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(1), unchecked((ulong)keyId));
        body[9] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(10), 2047);
        RandomNumberGenerator.Fill(body.AsSpan(12));
        body[12] &= 0x7F;
        return Packet(1, body);
    }

    /// <summary>The outer packets of a message, each re-encoded whole: its PKESKs and its integrity-protected packet.</summary>
    internal static List<byte[]> OuterPackets(byte[] message) =>
        PacketReader.ReadAll(message, 16).Select(p => Packet(p.Tag, p.Body.Span)).ToList();
}
