using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace Integrator.Core.Gsp;

/// <summary>
/// GSP v1 JSON through Google.Protobuf's parser and formatter (proto3 JSON mapping). Incoming documents are first
/// checked strictly (valid UTF-8, one object, no duplicate keys, bounded depth) so that no two parsers can read one
/// request differently; unknown fields are then ignored, as GSP minor versions add fields without notice.
/// </summary>
public static class GspJson
{
    private const int MaxDepth = 16;

    private static readonly JsonParser Parser =
        new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(MaxDepth));

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    private static readonly JsonDocumentOptions StrictDocument = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>Parses a decrypted request; false when it is not a JSON object of <typeparamref name="T"/>'s shape.</summary>
    public static bool TryParse<T>(ReadOnlySpan<byte> utf8, out T message)
        where T : IMessage, new()
    {
        message = default!;
        string text;
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray(), StrictDocument);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            text = Encoding.UTF8.GetString(utf8);
        }
        catch (JsonException)
        {
            return false;
        }

        try
        {
            message = Parser.Parse<T>(text);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
        catch (InvalidJsonException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Parses a body we produced ourselves (a stored response); it is trusted to be well-formed.</summary>
    public static IMessage ParseTrusted(string json, Google.Protobuf.Reflection.MessageDescriptor descriptor) =>
        Parser.Parse(json, descriptor);

    public static string Format(IMessage message) => Formatter.Format(message);
}
