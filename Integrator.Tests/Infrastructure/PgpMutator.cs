using System.Text;
using Integrator.Core.Security.Pgp;
using static Integrator.Tests.Infrastructure.CraftedPgp;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Grammar-aware mutations of what Google sends: the inner packets (one-pass, literal, signatures, compression) are
/// recombined and corrupted, then sealed with a valid session key and MDC so that every mutation reaches the layers
/// behind decryption; outer mutations corrupt a whole sealed message. Seeded: a failing case can be made again.
/// </summary>
public sealed class PgpMutator(CraftedPgp pgp, int seed)
{
    private readonly Random _random = new(seed);

    public string LastDescription { get; private set; } = string.Empty;

    /// <summary>A sealed message whose inner packets are a mutation of a valid signed message.</summary>
    public byte[] Inner()
    {
        var content = Encoding.UTF8.GetBytes($"{{\"requestHeader\":{{\"requestId\":\"{_random.Next()}\"}}}}");
        var parts = new List<(string Name, byte[] Bytes)>();
        var signers = new List<(PgpKey Key, byte Hash, byte Type)>();
        // Mostly what Google sends (its signature first), with extras and defects mixed in.
        var signatureCount = Pick(0, 1, 1, 1, 2, 3);
        for (var i = 0; i < signatureCount; i++)
        {
            signers.Add(i == 0
                ? (pgp.Google, Pick(HashSha384, HashSha384, HashSha256, HashSha512), Pick((byte)0, (byte)0, (byte)0, (byte)1))
                : (Pick(pgp.Google, pgp.Stranger, pgp.Stranger), Pick(HashSha384, HashSha256, HashSha512, (byte)2), Pick((byte)0, (byte)0, (byte)0, (byte)1)));
        }

        for (var i = signers.Count - 1; i >= 0; i--)
        {
            parts.Add(("ops", OnePass(signers[i].Key, signers[i].Type, signers[i].Hash, last: i == 0)));
        }

        parts.Add(("literal", Literal(content, Pick((byte)'b', (byte)'b', (byte)'b', (byte)'t', (byte)'u', (byte)'x'))));
        foreach (var (key, hash, type) in signers)
        {
            parts.Add(("signature", Signature(key, Pick(content, content, content, content, content, "other"u8.ToArray()), type, hash, SignatureSubpackets(key))));
        }

        var mutations = Pick(0, 0, 0, 1, 2);
        var description = new StringBuilder();
        for (var m = 0; m < mutations; m++)
        {
            var index = _random.Next(parts.Count);
            switch (_random.Next(6))
            {
                case 0:
                    description.Append($"drop {parts[index].Name}; ");
                    parts.RemoveAt(index);
                    break;
                case 1:
                    description.Append($"repeat {parts[index].Name}; ");
                    parts.Insert(index, parts[index]);
                    break;
                case 2:
                    description.Append($"swap {parts[index].Name}; ");
                    var other = _random.Next(parts.Count);
                    (parts[index], parts[other]) = (parts[other], parts[index]);
                    break;
                case 3:
                    description.Append($"flip a byte of {parts[index].Name}; ");
                    parts[index] = (parts[index].Name, Flip(parts[index].Bytes));
                    break;
                case 4:
                    description.Append($"truncate {parts[index].Name}; ");
                    parts[index] = (parts[index].Name, parts[index].Bytes[..Math.Max(1, _random.Next(parts[index].Bytes.Length))]);
                    break;
                default:
                    description.Append("insert a marker packet; ");
                    parts.Insert(index, ("marker", Packet(10, "PGP"u8)));
                    break;
            }

            if (parts.Count == 0)
            {
                break;
            }
        }

        var inner = Concat([.. parts.Select(p => p.Bytes)]);
        var compression = Pick(0, 0, 1, 2);
        if (compression > 0)
        {
            description.Append(compression == 1 ? "zip; " : "zlib; ");
            inner = Compressed((byte)compression, inner);
        }

        LastDescription = $"{string.Join(' ', parts.Select(p => p.Name))} | {description}";
        return pgp.Seal(inner);
    }

    /// <summary>A sealed valid message with bytes flipped, inserted, removed or repeated anywhere.</summary>
    public byte[] Outer()
    {
        var message = pgp.Valid("{}"u8.ToArray());
        var flips = _random.Next(1, 4);
        for (var i = 0; i < flips; i++)
        {
            message = _random.Next(4) switch
            {
                0 => Flip(message),
                1 => message[.._random.Next(message.Length)],
                2 => Concat(message[.._random.Next(message.Length)], [(byte)_random.Next(256)], message[_random.Next(message.Length)..]),
                _ => Concat(message, message[_random.Next(message.Length)..]),
            };
        }

        LastDescription = "outer mutation";
        return message;
    }

    private byte[] SignatureSubpackets(PgpKey key)
    {
        var now = DateTimeOffset.UtcNow;
        return _random.Next(16) switch
        {
            0 => Concat(CreationTime(now.AddDays(1)), IssuerFingerprint(key)),
            1 => IssuerFingerprint(key),
            2 => Concat(CreationTime(now.AddHours(-2)), ExpirationTime(60), IssuerFingerprint(key)),
            3 => Concat(CreationTime(now), IssuerFingerprint(key), Subpacket(110, [0], critical: true)),
            4 => Concat(CreationTime(key.CreatedAt.AddDays(-1)), IssuerFingerprint(key)),
            _ => Concat(CreationTime(now), IssuerFingerprint(key)),
        };
    }

    private byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        return copy;
    }

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
