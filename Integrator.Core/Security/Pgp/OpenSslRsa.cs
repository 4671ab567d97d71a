using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// The raw RSA private-key operation (m = c^d mod n, no padding) through the libcrypto that .NET itself uses on Linux,
/// so that the PKCS#1 v1.5 decoding can be ours and constant-time (see <see cref="SessionKeyDecoder"/>). OpenSSL 3.0
/// blinds the operation; .NET offers no unpadded decryption, and its PKCS#1 decryption throws on bad padding, which is
/// measurable.
/// </summary>
internal static partial class OpenSslRsa
{
    private const string LibCrypto = "libcrypto.so.3";
    private const int RsaNoPadding = 3;

    /// <summary>An OpenSSL key handle for <paramref name="parameters"/> (a private key).</summary>
    public static SafeEvpPKeyHandle PrivateKey(RSAParameters parameters)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("PGP message security needs Linux with OpenSSL 3 (libcrypto.so.3).");
        }

        // The key handle is .NET's; our calls must reach the same library, or the handle means nothing to them.
        var ours = (long)OpenSSL_version_num();
        if (ours != SafeEvpPKeyHandle.OpenSslVersion)
        {
            throw new PlatformNotSupportedException(
                $"PGP message security calls {LibCrypto} (OpenSSL 0x{ours:x}), but .NET loaded OpenSSL 0x{SafeEvpPKeyHandle.OpenSslVersion:x}; install OpenSSL 3 as the system libcrypto.");
        }

        using var rsa = new RSAOpenSsl(parameters);
        return rsa.DuplicateKeyHandle();
    }

    /// <summary>
    /// Writes c^d mod n to <paramref name="output"/> (exactly the modulus length). False only when the input is not
    /// below the modulus, a check on public values.
    /// </summary>
    public static bool TryDecryptRaw(SafeEvpPKeyHandle key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var context = EVP_PKEY_CTX_new(key, IntPtr.Zero);
        if (context == IntPtr.Zero)
        {
            ERR_clear_error();
            throw new CryptographicException("EVP_PKEY_CTX_new failed.");
        }

        try
        {
            if (EVP_PKEY_decrypt_init(context) != 1 || EVP_PKEY_CTX_set_rsa_padding(context, RsaNoPadding) != 1)
            {
                // .NET's own calls into libcrypto expect an empty error queue.
                ERR_clear_error();
                throw new CryptographicException("EVP_PKEY_decrypt_init failed.");
            }

            var length = (nuint)output.Length;
            var ok = EVP_PKEY_decrypt(context, ref MemoryMarshal.GetReference(output), ref length, in MemoryMarshal.GetReference(input), (nuint)input.Length);
            if (ok != 1)
            {
                // .NET's own calls into libcrypto expect an empty error queue.
                ERR_clear_error();
                return false;
            }

            return length == (nuint)output.Length;
        }
        finally
        {
            EVP_PKEY_CTX_free(context);
        }
    }

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EVP_PKEY_CTX_new(SafeEvpPKeyHandle key, IntPtr engine);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_decrypt_init(IntPtr context);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_CTX_set_rsa_padding(IntPtr context, int padding);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_decrypt(IntPtr context, ref byte output, ref nuint outputLength, in byte input, nuint inputLength);

    [LibraryImport(LibCrypto)]
    private static partial void EVP_PKEY_CTX_free(IntPtr context);

    [LibraryImport(LibCrypto)]
    private static partial void ERR_clear_error();

    [LibraryImport(LibCrypto)]
    private static partial nuint OpenSSL_version_num();
}
