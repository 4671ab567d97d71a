using System.Buffers.Text;
using System.Text;
using Integrator.Core.Gsp;
using Org.BouncyCastle.Bcpg;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// <c>MessageSecurity:Mode=Pgp</c>: bodies are base64url (no padding) of one OpenPGP message, signed with SHA-384 and
/// encrypted with AES-256, as <c>application/octet-stream; charset=utf-8</c>. An armored message inside the base64url
/// (what Google's documented <c>gpg --armor</c> command makes) is accepted too; we send binary.
/// </summary>
public sealed class PgpCodec(PgpOpener opener, PgpSealer sealer) : IMessageCodec
{
    private static readonly byte[] ArmorHeader = "-----BEGIN PGP MESSAGE-----"u8.ToArray();

    private static readonly GspError WrongContentType =
        GspError.InvalidPayloadEncryption("The body must be application/octet-stream: base64url of an OpenPGP message.");

    public string ContentType => "application/octet-stream; charset=utf-8";

    public OpenedMessage Open(ReadOnlySpan<byte> body, string? contentType)
    {
        if (!MediaTypes.Is(contentType, MediaTypes.OctetStream))
        {
            return OpenedMessage.Failure(WrongContentType);
        }

        var message = DecodeBody(body);
        if (message is null)
        {
            return OpenedMessage.Failure(GspError.InvalidPayloadEncryption());
        }

        var (content, failure) = opener.Open(message);
        return failure switch
        {
            PgpOpenFailure.None => OpenedMessage.Success(content!),
            PgpOpenFailure.Signature => OpenedMessage.Failure(GspError.InvalidPayloadSignature()),
            _ => OpenedMessage.Failure(GspError.InvalidPayloadEncryption()),
        };
    }

    public byte[] Seal(ReadOnlySpan<byte> json) => Encoding.ASCII.GetBytes(Base64Url.EncodeToString(sealer.Seal(json)));

    /// <summary>base64url (padding and surrounding white space tolerated), then de-armored if armored; null if neither.</summary>
    private static byte[]? DecodeBody(ReadOnlySpan<byte> body)
    {
        byte[] decoded;
        try
        {
            decoded = Base64Url.DecodeFromUtf8(body.Trim(" \t\r\n"u8));
        }
        catch (FormatException)
        {
            return null;
        }

        if (!decoded.AsSpan().TrimStart(" \t\r\n"u8).StartsWith(ArmorHeader))
        {
            return decoded;
        }

        try
        {
            using var armored = new ArmoredInputStream(new MemoryStream(decoded));
            using var binary = new MemoryStream();
            armored.CopyTo(binary);
            return binary.ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
