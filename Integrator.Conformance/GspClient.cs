using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

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
