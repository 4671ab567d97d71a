using System.Net.Http.Headers;
using Integrator.Core.Gsp;

namespace Integrator.Core.Security;

/// <summary>
/// Turns Google-facing HTTP bodies into the JSON they carry and back: the seam where message security sits. Every
/// Google method and every outbound notification goes through the one registered codec.
/// </summary>
public interface IMessageCodec
{
    /// <summary>The Content-Type of the bodies <see cref="Seal"/> produces.</summary>
    string ContentType { get; }

    /// <summary>
    /// Opens a body received from Google. Fails only with <c>INVALID_PAYLOAD_ENCRYPTION</c> (anything that does not
    /// decrypt, for whatever reason) or <c>INVALID_PAYLOAD_SIGNATURE</c> (no valid signature by an active Google key).
    /// </summary>
    OpenedMessage Open(ReadOnlySpan<byte> body, string? contentType);

    /// <summary>Produces the body that carries <paramref name="json"/> to Google.</summary>
    byte[] Seal(ReadOnlySpan<byte> json);

    /// <summary>Opens a message that travelled in a URL (the redirect request): web-safe base64 text.</summary>
    OpenedMessage OpenWebSafe(string value);

    /// <summary>Seals <paramref name="json"/> as web-safe base64 text for a URL (the redirect response).</summary>
    string SealWebSafe(ReadOnlySpan<byte> json);
}

/// <summary>Either the authenticated JSON of a message, or the pre-authentication error to answer.</summary>
public readonly record struct OpenedMessage(byte[]? Json, GspError? Error)
{
    public static OpenedMessage Success(byte[] json) => new(json, null);

    public static OpenedMessage Failure(GspError error) => new(null, error);
}

public static class MediaTypes
{
    public const string Json = "application/json";
    public const string OctetStream = "application/octet-stream";

    public static bool Is(string? contentType, string mediaType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, mediaType, StringComparison.OrdinalIgnoreCase);
}
