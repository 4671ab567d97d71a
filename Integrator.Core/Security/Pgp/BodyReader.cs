using System.Buffers.Binary;

namespace Integrator.Core.Security.Pgp;

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
