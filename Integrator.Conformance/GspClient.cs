using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>One answer of the target: status, media type and the JSON it carried (opened, when sealed).</summary>
public sealed record GspAnswer(int Status, string? MediaType, string Body, bool Authentic)
{
    public JsonNode? Json => Body.Length > 0 && Body[0] == '{' ? JsonNode.Parse(Body) : null;

    public string? Field(string name) => Json?[name]?.GetValue<string>();

    public string? ErrorCode => Field("errorResponseCode");

    /// <summary>The body without responseHeader.responseTimestamp, which a replay may change.</summary>
    public string WithoutTimestamp()
    {
        if (Json is not JsonObject copy)
        {
            return Body;
        }

        copy["responseHeader"]?.AsObject().Remove("responseTimestamp");
        return copy.ToJsonString();
    }

    public override string ToString() => $"HTTP {Status} {Body}";
}

/// <summary>How a probe's body is sealed differently from a well-formed request (PGP mode).</summary>
public sealed record Sealing(IReadOnlyList<SigningKey>? Signers = null, Org.BouncyCastle.Bcpg.OpenPgp.PgpPublicKeyRing? Recipient = null);

/// <summary>Google's side of the calls: requests sealed as Google seals them, answers opened and authenticated.</summary>
public sealed class GspClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Target _target;

    public GspClient(Target target)
    {
        _target = target;
        _http = new HttpClient { BaseAddress = target.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task<GspAnswer> PostAsync(string method, JsonNode request, Sealing? sealing = null)
    {
        var json = Encoding.UTF8.GetBytes(request.ToJsonString());
        return _target.Pgp is { } pgp
            ? PostRawAsync(method, pgp.Seal(json, sealing?.Signers, sealing?.Recipient), "application/octet-stream; charset=utf-8")
            : PostRawAsync(method, json, "application/json");
    }

    public async Task<GspAnswer> PostRawAsync(string method, byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await _http.PostAsync($"{_target.BasePath}/redirect-payment-token-v1/{method}", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == "application/octet-stream" && _target.Pgp is { } pgp)
        {
            var opened = pgp.Open(bytes);
            return new GspAnswer((int)response.StatusCode, mediaType, opened is null ? "<not authentic>" : Encoding.UTF8.GetString(opened), opened is not null);
        }

        // Plaintext: a Development target's answers, or a PGP target's refusals before it authenticated the request.
        return new GspAnswer((int)response.StatusCode, mediaType, Encoding.UTF8.GetString(bytes), _target.Pgp is null);
    }

    public void Dispose() => _http.Dispose();
}
