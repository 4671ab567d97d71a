using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>
/// Google's side of the calls: requests sealed as Google seals them, answers opened and authenticated, and every
/// exchange kept for the running check's report row.
/// </summary>
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
        var json = request.ToJsonString();
        var bytes = Encoding.UTF8.GetBytes(json);
        return _target.Pgp is { } pgp
            ? SendAsync(method, pgp.Seal(bytes, sealing?.Signers, sealing?.Recipient), "application/octet-stream; charset=utf-8", json)
            : SendAsync(method, bytes, "application/json", json);
    }

    /// <summary>A body as is (a probe that is not a message at all).</summary>
    public Task<GspAnswer> PostRawAsync(string method, byte[] body, string contentType) =>
        SendAsync(method, body, contentType, $"({body.Length} bytes of {contentType}: {Encoding.ASCII.GetString(body[..Math.Min(body.Length, 64)])})");

    private async Task<GspAnswer> SendAsync(string method, byte[] body, string contentType, string shown)
    {
        var url = new Uri(_target.BaseUrl, $"{_target.BasePath}/redirect-payment-token-v1/{method}");
        var sentAt = DateTimeOffset.UtcNow;
        var isSealed = contentType != "application/json";
        GspAnswer answer;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await _http.PostAsync(url, content);
            answer = await OpenAsync(response);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Conformance.Log(new Exchange(method, url, shown, sentAt, 0, $"(no answer: {e.Message})", isSealed));
            throw;
        }

        Conformance.Log(new Exchange(method, url, shown, sentAt, answer.Status, answer.Body, isSealed));
        return answer;
    }

    private async Task<GspAnswer> OpenAsync(HttpResponseMessage response)
    {
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
