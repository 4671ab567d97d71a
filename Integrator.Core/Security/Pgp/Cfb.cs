using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// OpenPGP's CFB mode for integrity-protected data: full-block feedback, an all-zero IV, no resynchronisation.
/// CFB is a stream mode, so data of any length is processed by padding it to whole blocks and trimming the result.
/// </summary>
internal static class Cfb
{
    private static readonly byte[] ZeroIv = new byte[16];

    public static byte[] Encrypt(Aes aes, ReadOnlySpan<byte> plaintext) =>
        aes.EncryptCfb(Padded(plaintext), ZeroIv, PaddingMode.None, 128)[..plaintext.Length];

    public static byte[] Decrypt(Aes aes, ReadOnlySpan<byte> ciphertext) =>
        aes.DecryptCfb(Padded(ciphertext), ZeroIv, PaddingMode.None, 128)[..ciphertext.Length];

    private static byte[] Padded(ReadOnlySpan<byte> data)
    {
        var padded = new byte[(data.Length + 15) / 16 * 16];
        data.CopyTo(padded);
        return padded;
    }
}
