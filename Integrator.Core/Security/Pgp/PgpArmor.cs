using System.Text;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// Reads an ASCII-armored OpenPGP message (RFC 4880 §6.2) strictly: ASCII only, the BEGIN line, at most a few
/// "Key: Value" header lines, a blank line, base64 lines, an optional CRC-24 that must match, the END line. Anything
/// else is null, never an exception.
/// </summary>
internal static class PgpArmor
{
    private const string Begin = "-----BEGIN PGP MESSAGE-----";
    private const string End = "-----END PGP MESSAGE-----";
    private const int MaxHeaders = 8;

    private static readonly byte[] BeginBytes = Encoding.ASCII.GetBytes(Begin);

    public static bool LooksArmored(ReadOnlySpan<byte> data) => data.TrimStart(" \t\r\n"u8).StartsWith(BeginBytes);

    public static byte[]? Decode(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b >= 0x80 || (b < 0x20 && b is not ((byte)'\r' or (byte)'\n' or (byte)'\t')))
            {
                return null;
            }
        }

        var lines = Encoding.ASCII.GetString(data).Split('\n').Select(l => l.TrimEnd('\r', ' ', '\t')).ToList();
        var line = 0;
        while (line < lines.Count && lines[line].Trim().Length == 0)
        {
            line++;
        }

        if (line == lines.Count || lines[line++].Trim() != Begin)
        {
            return null;
        }

        var headers = 0;
        while (line < lines.Count && lines[line].Length > 0)
        {
            if (++headers > MaxHeaders || !lines[line].Contains(": ", StringComparison.Ordinal))
            {
                return null;
            }

            line++;
        }

        line++; // the blank line
        var base64 = new StringBuilder();
        string? checksum = null;
        for (; line < lines.Count; line++)
        {
            var text = lines[line];
            if (text == End)
            {
                return Decoded(base64.ToString(), checksum, lines.Skip(line + 1).All(l => l.Trim().Length == 0));
            }

            if (checksum is not null)
            {
                return null; // only the END line may follow the checksum
            }

            if (text.StartsWith('='))
            {
                checksum = text[1..];
            }
            else
            {
                base64.Append(text);
            }
        }

        return null;
    }

    private static byte[]? Decoded(string base64, string? checksum, bool nothingAfter)
    {
        if (!nothingAfter)
        {
            return null;
        }

        var bytes = new byte[base64.Length / 4 * 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            return null;
        }

        bytes = bytes[..length];
        if (checksum is null)
        {
            return bytes;
        }

        var crc = new byte[3];
        return checksum.Length == 4 && Convert.TryFromBase64String(checksum, crc, out var crcLength) && crcLength == 3
            && Crc24(bytes) == ((crc[0] << 16) | (crc[1] << 8) | crc[2])
            ? bytes
            : null;
    }

    /// <summary>The armor checksum of RFC 4880 §6.1.</summary>
    private static int Crc24(ReadOnlySpan<byte> data)
    {
        var crc = 0xB704CE;
        foreach (var b in data)
        {
            crc ^= b << 16;
            for (var i = 0; i < 8; i++)
            {
                crc <<= 1;
                if ((crc & 0x1000000) != 0)
                {
                    crc ^= 0x1864CFB;
                }
            }
        }

        return crc & 0xFFFFFF;
    }
}
