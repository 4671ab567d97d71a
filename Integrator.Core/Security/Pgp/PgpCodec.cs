using System.Buffers.Text;
using System.Text;
using Integrator.Core.Gsp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// <c>MessageSecurity:Mode=Pgp</c>: bodies are base64url (no padding) of one OpenPGP message, signed with SHA-384 and
/// encrypted with AES-256, as <c>application/octet-stream; charset=utf-8</c>. An armored message inside the base64url
/// (what Google's documented <c>gpg --armor</c> command makes) is accepted too; we send binary. This is the boundary
/// for hostile bytes: whatever happens inside, the answer is one of the two pre-authentication errors.
/// </summary>
public sealed partial class PgpCodec(PgpOpener opener, PgpSealer sealer, ILogger<PgpCodec>? logger = null) : IMessageCodec
{
    private static readonly GspError WrongContentType =
        GspError.InvalidPayloadEncryption("The body must be application/octet-stream: base64url of an OpenPGP message.");

    private readonly ILogger _logger = logger ?? NullLogger<PgpCodec>.Instance;

    public string ContentType => "application/octet-stream; charset=utf-8";

    public OpenedMessage Open(ReadOnlySpan<byte> body, string? contentType)
    {
        if (!MediaTypes.Is(contentType, MediaTypes.OctetStream))
        {
            return OpenedMessage.Failure(WrongContentType);
        }

        PgpOpenFailure failure;
        byte[]? content;
        try
        {
            var message = DecodeBody(body);
            (content, failure) = message is null ? (null, PgpOpenFailure.Encryption) : opener.Open(message);
        }
#pragma warning disable CA1031 // The codec boundary: no input may turn into a 500 (docs/pgp-profile.md).
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogUnexpected(_logger, e.GetType().Name);
            (content, failure) = (null, PgpOpenFailure.Encryption);
        }

        return failure switch
        {
            PgpOpenFailure.None => OpenedMessage.Success(content!),
            PgpOpenFailure.Signature => OpenedMessage.Failure(GspError.InvalidPayloadSignature()),
            _ => OpenedMessage.Failure(GspError.InvalidPayloadEncryption()),
        };
    }

    public byte[] Seal(ReadOnlySpan<byte> json) => Encoding.ASCII.GetBytes(SealWebSafe(json));

    // A body is already web-safe base64 of the OpenPGP message: the same text travels in a URL.
    public OpenedMessage OpenWebSafe(string value) => Open(Encoding.UTF8.GetBytes(value), ContentType);

    public string SealWebSafe(ReadOnlySpan<byte> json) => Base64Url.EncodeToString(sealer.Seal(json));

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

        return PgpArmor.LooksArmored(decoded) ? PgpArmor.Decode(decoded) : decoded;
    }

    // The exception's type only: its message or stack could quote what was being parsed.
    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "PGP: opening a message failed unexpectedly ({ExceptionType}); answered INVALID_PAYLOAD_ENCRYPTION")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}
