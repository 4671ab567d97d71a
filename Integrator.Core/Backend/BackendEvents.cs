using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend;

/// <summary>What became of an event the core sent.</summary>
public enum BackendEventOutcome
{
    /// <summary>Signed and readable: the hold's open commands are checked now (204).</summary>
    Accepted,

    /// <summary>No event secret is set, or the signature is missing or wrong (401): nothing changes.</summary>
    BadSignature,

    /// <summary>Not <c>{"holdId": "…"}</c> (400).</summary>
    Malformed,

    /// <summary>Events are not received with this provider (404).</summary>
    NotReceived,
}

/// <summary>
/// The core's word that a pending release finished (<c>POST {Backend:Http:EventsPath}</c>, docs/backend-http.openapi.yaml): signed with
/// <c>X-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>. It is never trusted for what it says: it only makes the
/// hold's open commands due now, and the resolver reads the hold's state back from the core (<c>GET /holds/{holdId}</c>).
/// </summary>
public sealed partial class BackendEvents(Database database, CommandStore commands, IOptions<BackendOptions> options, TimeProvider time, ILogger<BackendEvents> logger)
{
    public const int MaxBodyBytes = 4096;
    private const string Prefix = "sha256=";

    /// <summary>The signature of <paramref name="body"/> under <paramref name="secret"/>, as the header carries it.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task<BackendEventOutcome> ReceiveAsync(byte[] body, string? signature, CancellationToken ct)
    {
        var http = options.Value.Http;
        if (options.Value.Provider != BackendProvider.Http)
        {
            return BackendEventOutcome.NotReceived;
        }

        if (http.EventSecret is not { } secret || signature is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body, secret)), Encoding.ASCII.GetBytes(signature.Trim())))
        {
            LogRefused(logger);
            return BackendEventOutcome.BadSignature;
        }

        string? holdId;
        try
        {
            using var json = JsonDocument.Parse(body);
            holdId = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("holdId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            holdId = null;
        }

        if (string.IsNullOrEmpty(holdId) || holdId.Length > 200)
        {
            return BackendEventOutcome.Malformed;
        }

        var open = await commands.OpenOfHoldAsync(holdId, ct);
        foreach (var command in open)
        {
            await database.WriteAsync(async (tx, token) => Write.Commit(await commands.RetryNowAsync(tx, command.CommandId, time.GetUtcNow(), token)), ct);
        }

        LogAccepted(logger, open.Count);
        return BackendEventOutcome.Accepted;
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Back-end event accepted: {Count} open commands of its hold are checked now")]
    private static partial void LogAccepted(ILogger logger, int count);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Back-end event refused: missing or wrong signature (or no Backend:Http:EventSecret)")]
    private static partial void LogRefused(ILogger logger);
}
