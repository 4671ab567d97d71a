using System.Buffers.Binary;
using System.Numerics;

namespace Integrator.Core.Security.Pgp;

/// <summary>OpenPGP packet tags used here (RFC 4880 §4.3).</summary>
internal static class PacketTag
{
    public const int PublicKeyEncryptedSessionKey = 1;
    public const int Signature = 2;
    public const int OnePassSignature = 4;
    public const int CompressedData = 8;
    public const int SymmetricallyEncrypted = 9;
    public const int Marker = 10;
    public const int LiteralData = 11;
    public const int SymIntegrityProtected = 18;
    public const int ModificationDetectionCode = 19;
}

/// <summary>Thrown for any malformed packet; callers turn it into the one answer their layer gives.</summary>
internal sealed class PgpFormatException(string message) : Exception(message);

internal readonly record struct Packet(int Tag, ReadOnlyMemory<byte> Body);

/// <summary>
/// Splits bytes into OpenPGP packets (old and new headers, partial body lengths on data packets only), never reading
/// past the data, and never more than a given number of packets.
/// </summary>
internal static class PacketReader
{
    public static List<Packet> ReadAll(ReadOnlyMemory<byte> data, int maxPackets)
    {
        var packets = new List<Packet>();
        var position = 0;
        while (position < data.Length)
        {
            if (packets.Count == maxPackets)
            {
                throw new PgpFormatException("too many packets");
            }

            packets.Add(ReadOne(data, ref position));
        }

        return packets;
    }

    private static Packet ReadOne(ReadOnlyMemory<byte> data, ref int position)
    {
        var span = data.Span;
        var ctb = span[position++];
        if ((ctb & 0x80) == 0)
        {
            throw new PgpFormatException("not a packet header");
        }

        if ((ctb & 0x40) == 0)
        {
            // Old format: tag in bits 5-2, length type in bits 1-0.
            var tag = (ctb >> 2) & 0x0F;
            var length = (ctb & 0x03) switch
            {
                0 => Take(span, ref position, 1)[0],
                1 => BinaryPrimitives.ReadUInt16BigEndian(Take(span, ref position, 2)),
                2 => ToLength(BinaryPrimitives.ReadUInt32BigEndian(Take(span, ref position, 4))),
                _ => data.Length - position, // indeterminate: to the end
            };
            return new Packet(tag, Slice(data, ref position, length));
        }

        var newTag = ctb & 0x3F;
        using var chunks = new MemoryStream();
        while (true)
        {
            var first = Take(span, ref position, 1)[0];
            if (first < 192)
            {
                return Finish(newTag, data, ref position, first, chunks);
            }

            if (first < 224)
            {
                var length = ((first - 192) << 8) + Take(span, ref position, 1)[0] + 192;
                return Finish(newTag, data, ref position, length, chunks);
            }

            if (first == 255)
            {
                var length = ToLength(BinaryPrimitives.ReadUInt32BigEndian(Take(span, ref position, 4)));
                return Finish(newTag, data, ref position, length, chunks);
            }

            // Partial body length: a chunk of 2^n bytes, then another length. Only data packets may be streamed.
            if (newTag is not (PacketTag.CompressedData or PacketTag.LiteralData or PacketTag.SymIntegrityProtected))
            {
                throw new PgpFormatException("partial body length on a packet that is not a data packet");
            }

            chunks.Write(Slice(data, ref position, 1 << (first & 0x1F)).Span);
        }
    }

    private static Packet Finish(int tag, ReadOnlyMemory<byte> data, ref int position, int length, MemoryStream chunks)
    {
        var last = Slice(data, ref position, length);
        if (chunks.Length == 0)
        {
            return new Packet(tag, last);
        }

        chunks.Write(last.Span);
        return new Packet(tag, chunks.ToArray());
    }

    private static int ToLength(uint length) =>
        length <= int.MaxValue ? (int)length : throw new PgpFormatException("packet too long");

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> span, ref int position, int count)
    {
        if (count > span.Length - position)
        {
            throw new PgpFormatException("truncated packet");
        }

        var taken = span.Slice(position, count);
        position += count;
        return taken;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> data, ref int position, int count)
    {
        if (count < 0 || count > data.Length - position)
        {
            throw new PgpFormatException("truncated packet");
        }

        var slice = data.Slice(position, count);
        position += count;
        return slice;
    }
}

/// <summary>A cursor over one packet's body.</summary>
internal ref struct BodyReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _body.Length - _position;

    public byte Byte() => Bytes(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new PgpFormatException("truncated packet body");
        }

        var bytes = _body.Slice(_position, count);
        _position += count;
        return bytes;
    }

    /// <summary>A multiprecision integer: a 2-octet bit count, then the big-endian octets.</summary>
    public ReadOnlySpan<byte> Mpi()
    {
        var bits = UInt16();
        return Bytes((bits + 7) / 8);
    }

    public readonly ReadOnlySpan<byte> Rest() => _body[_position..];
}

/// <summary>Writes new-format packets and MPIs.</summary>
internal static class PacketWriter
{
    public static void Write(Stream output, int tag, ReadOnlySpan<byte> body)
    {
        output.WriteByte((byte)(0xC0 | tag));
        var length = body.Length;
        if (length < 192)
        {
            output.WriteByte((byte)length);
        }
        else if (length < 8384)
        {
            output.WriteByte((byte)(((length - 192) >> 8) + 192));
            output.WriteByte((byte)((length - 192) & 0xFF));
        }
        else
        {
            Span<byte> five = [255, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(five[1..], (uint)length);
            output.Write(five);
        }

        output.Write(body);
    }

    public static void WriteMpi(Stream output, ReadOnlySpan<byte> bigEndian)
    {
        var trimmed = bigEndian.TrimStart((byte)0);
        var bits = trimmed.IsEmpty ? 0 : ((trimmed.Length - 1) * 8) + (8 - BitOperations.LeadingZeroCount((uint)trimmed[0]) + 24);
        Span<byte> header = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)bits);
        output.Write(header);
        output.Write(trimmed);
    }

    public static void WriteUInt16(Stream output, int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        output.Write(bytes);
    }

    public static void WriteUInt32(Stream output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        output.Write(bytes);
    }

    public static void WriteUInt64(Stream output, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        output.Write(bytes);
    }
}
