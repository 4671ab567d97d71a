using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// A session key taken from a PKESK packet: real, or the synthetic one of an implicit rejection. The material is always
/// <see cref="SessionKeyDecoder.MaxKeyLength"/> octets, so that choosing between keys never depends on their length.
/// </summary>
internal readonly record struct SessionKey(int Cipher, byte[] Material)
{
    public byte[] Key => Material[..PgpOpener.KeyLength(Cipher)];
}

/// <summary>
/// Decodes the PKCS#1 v1.5 block of an OpenPGP session key (<c>00 02 PS 00 [cipher][key][checksum]</c>, RFC 4880
/// §5.1) in constant time, with implicit rejection: a block that is not well formed, for whatever reason, yields a
/// synthetic AES-256 key derived from the ciphertext and a secret of the private key, so the message then fails its
/// integrity check like any tampered message, by the same path and in the same time. The derivation follows
/// https://datatracker.ietf.org/doc/draft-irtf-cfrg-rsa-guidance/ (key derivation key = HMAC-SHA256 over the
/// ciphertext, keyed by SHA-256 of the private exponent). Only AES-128/192/256 session keys are well formed.
/// </summary>
internal static class SessionKeyDecoder
{
    public const int MaxKeyLength = 32;
    private const int CipherAes256 = 9;
    private static readonly byte[] SyntheticLabel = "Integrator OpenPGP implicit rejection"u8.ToArray();

    /// <summary>The secret that keys the synthetic session keys of one private key: SHA-256 of its exponent.</summary>
    public static byte[] RejectionKey(RSAParameters privateKey) => SHA256.HashData(privateKey.D!);

    /// <summary>
    /// Decodes <paramref name="block"/> (the raw RSA output, modulus length). <paramref name="valid"/> is 1 for a well
    /// formed block, else 0; it is meant for a constant-time selection, never for a branch.
    /// </summary>
    public static SessionKey Decode(ReadOnlySpan<byte> block, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> rejectionKey, out int valid)
    {
        var k = block.Length;
        var good = IsZero(block[0]) & IsZero(block[1] ^ 2);

        // The first zero octet after the padding string, found without branching on any octet.
        var looking = 1;
        var zeroIndex = 0;
        for (var i = 2; i < k; i++)
        {
            var isZero = IsZero(block[i]);
            zeroIndex |= Mask(isZero & looking) & i;
            looking &= isZero ^ 1;
        }

        good &= looking ^ 1;
        good &= LessThan(zeroIndex, 10) ^ 1; // at least 8 octets of padding
        var messageLength = k - 1 - zeroIndex;

        // The message is [cipher][key][2-octet sum of the key octets]: AES-128, -192 or -256, tried all three.
        var key = new byte[MaxKeyLength];
        var cipher = 0;
        var matched = 0;
        for (var candidate = 7; candidate <= 9; candidate++)
        {
            var keyLength = PgpOpener.KeyLength(candidate);
            var message = block[(k - keyLength - 3)..];
            var sum = 0;
            for (var i = 1; i <= keyLength; i++)
            {
                sum += message[i];
            }

            var checksum = (message[keyLength + 1] << 8) | message[keyLength + 2];
            var ok = IsZero(messageLength ^ (keyLength + 3)) & IsZero(message[0] ^ candidate) & IsZero((sum & 0xFFFF) ^ checksum);
            var mask = Mask(ok);
            for (var i = 0; i < keyLength; i++)
            {
                key[i] |= (byte)(message[1 + i] & mask);
            }

            cipher |= candidate & mask;
            matched |= ok;
        }

        valid = good & matched;
        var synthetic = Synthetic(ciphertext, k, rejectionKey);
        var keep = Mask(valid);
        for (var i = 0; i < MaxKeyLength; i++)
        {
            key[i] = (byte)((key[i] & keep) | (synthetic[i] & ~keep));
        }

        cipher = (cipher & keep) | (CipherAes256 & ~keep);
        return new SessionKey(cipher, key);
    }

    /// <summary>Picks the first valid of several decodings, in constant time; none valid: the first one's synthetic key.</summary>
    public static SessionKey First(IReadOnlyList<(SessionKey Key, int Valid)> decodings)
    {
        var material = (byte[])decodings[0].Key.Material.Clone();
        var cipher = decodings[0].Key.Cipher;
        var taken = decodings[0].Valid;
        for (var d = 1; d < decodings.Count; d++)
        {
            var take = Mask(decodings[d].Valid & (taken ^ 1));
            var candidate = decodings[d].Key.Material;
            for (var i = 0; i < MaxKeyLength; i++)
            {
                material[i] = (byte)((candidate[i] & take) | (material[i] & ~take));
            }

            cipher = (decodings[d].Key.Cipher & take) | (cipher & ~take);
            taken |= decodings[d].Valid;
        }

        return new SessionKey(cipher, material);
    }

    private static byte[] Synthetic(ReadOnlySpan<byte> ciphertext, int modulusLength, ReadOnlySpan<byte> rejectionKey)
    {
        Span<byte> padded = stackalloc byte[modulusLength];
        padded.Clear();
        ciphertext.CopyTo(padded[(modulusLength - ciphertext.Length)..]);
        Span<byte> derivationKey = stackalloc byte[32];
        HMACSHA256.HashData(rejectionKey, padded, derivationKey);
        return HMACSHA256.HashData(derivationKey, SyntheticLabel);
    }

    /// <summary>1 if <paramref name="x"/> (0 ≤ x &lt; 2³¹) is zero, else 0.</summary>
    private static int IsZero(int x) => unchecked((int)((uint)(x - 1) >> 31) & ((x >> 31) ^ 1));

    /// <summary>1 if a &lt; b (both 0 ≤ · &lt; 2³⁰), else 0.</summary>
    private static int LessThan(int a, int b) => unchecked((int)((uint)(a - b) >> 31));

    /// <summary>0 → 0, 1 → all ones.</summary>
    private static int Mask(int bit) => -bit;
}
