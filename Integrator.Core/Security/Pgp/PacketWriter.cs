using System.Buffers.Binary;
using System.Numerics;

namespace Integrator.Core.Security.Pgp;

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
