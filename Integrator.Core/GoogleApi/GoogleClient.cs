using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Security;
using Microsoft.Extensions.Options;

namespace Integrator.Core.GoogleApi;

/// <summary>What one call to Google gave: the authenticated response, or why there is none.</summary>
public sealed record GoogleAnswer<TResponse>(TResponse? Response, int? HttpStatus, long LatencyMs, string? Error)
    where TResponse : class;

/// <summary>
/// Our calls to Google (notifications, remittance): the request sealed by the message codec and posted to
/// <c>{Google:BaseUrl}{path}/{paymentIntegratorAccountId}</c>. An answer counts only if it is HTTP 200 with an
/// authentic body of the expected response shape; anything else is an error to retry.
/// </summary>
public sealed class GoogleClient(IHttpClientFactory httpClients, IMessageCodec codec, IOptions<GoogleOptions> google, TimeProvider time)
{
    public const string HttpClientName = "google";

    private readonly string _base = google.Value.BaseUrl is { } baseUrl ? baseUrl.ToString().TrimEnd('/') : string.Empty;

    /// <param name="path">After the base URL, e.g. <c>/redirect-payment-token-v1/acceptRemittanceStatement</c>.</param>
    /// <param name="expected">The response named in an error, e.g. "acceptRemittanceStatement response".</param>
    public async Task<GoogleAnswer<TResponse>> PostAsync<TResponse>(
        string path, string accountId, IMessage request, string expected, CancellationToken ct)
        where TResponse : class, IMessage<TResponse>, new()
    {
        if (_base.Length == 0)
        {
            return new GoogleAnswer<TResponse>(null, null, 0, "Google:BaseUrl is not set");
        }

        using var content = new ByteArrayContent(codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(request))));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(codec.ContentType);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{_base}/{path.Trim('/')}/{Uri.EscapeDataString(accountId)}") { Content = content };
        var started = time.GetTimestamp();
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                return new GoogleAnswer<TResponse>(null, status, latency, $"HTTP {status}");
            }

            var opened = codec.Open(body, response.Content.Headers.ContentType?.ToString());
            if (opened.Error is { } error)
            {
                return new GoogleAnswer<TResponse>(null, status, latency, $"response refused: {error.CodeName}");
            }

            return GspJson.TryParse<TResponse>(opened.Json, out var parsed)
                ? new GoogleAnswer<TResponse>(parsed, status, latency, null)
                : new GoogleAnswer<TResponse>(null, status, latency, $"response is not a {expected}");
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var error = e is TaskCanceledException ? "timed out" : e.Message;
            return new GoogleAnswer<TResponse>(null, null, (long)time.GetElapsedTime(started).TotalMilliseconds, error);
        }
    }
}
