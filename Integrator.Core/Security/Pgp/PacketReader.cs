using System.Buffers.Binary;

namespace Integrator.Core.Security.Pgp;

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
