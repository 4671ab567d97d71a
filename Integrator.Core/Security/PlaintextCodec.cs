using System.Buffers.Text;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Security;

/// <summary><c>MessageSecurity:Mode=None</c>: plaintext JSON, allowed only in Development.</summary>
public sealed class PlaintextCodec : IMessageCodec
{
    private static readonly GspError WrongContentType = new(
        400, ErrorResponseCode.InvalidDecryptedRequest, "With MessageSecurity:Mode=None the body must be application/json.");

    public string ContentType => "application/json; charset=utf-8";

    public OpenedMessage Open(ReadOnlySpan<byte> body, string? contentType) =>
        MediaTypes.Is(contentType, MediaTypes.Json) ? OpenedMessage.Success(body.ToArray()) : OpenedMessage.Failure(WrongContentType);

    public byte[] Seal(ReadOnlySpan<byte> json) => json.ToArray();

    public OpenedMessage OpenWebSafe(string value)
    {
        try
        {
            return OpenedMessage.Success(Base64Url.DecodeFromChars(value.Trim()));
        }
        catch (FormatException)
        {
            return OpenedMessage.Failure(GspError.InvalidPayloadEncryption("The value is not web-safe base64."));
        }
    }

    public string SealWebSafe(ReadOnlySpan<byte> json) => Base64Url.EncodeToString(json);
}
