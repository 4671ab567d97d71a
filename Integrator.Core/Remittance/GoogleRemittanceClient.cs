using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Notifications;
using Integrator.Core.Security;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Remittance;

/// <summary>What one call to Google gave: the authenticated response, or why there is none.</summary>
public sealed record GoogleAnswer<TResponse>(TResponse? Response, int? HttpStatus, long LatencyMs, string? Error)
    where TResponse : class;

/// <summary>
/// Calls Google's remittance methods (<c>POST {Google:BaseUrl}{Google:RemittancePath}/{method}/{PIAID}</c>) through the
/// same message codec and HTTP client as notifications. An answer counts only if it is HTTP 200 with an authentic body
/// of the method's response shape.
/// </summary>
public sealed class GoogleRemittanceClient(
    IHttpClientFactory httpClients, IMessageCodec codec, IOptions<GoogleOptions> google, TimeProvider time)
{
    private readonly string _base = google.Value.BaseUrl is { } baseUrl
        ? baseUrl.ToString().TrimEnd('/') + "/" + google.Value.RemittancePath.Trim('/') + "/"
        : string.Empty;

    public Task<GoogleAnswer<RemittanceStatementDetailsResponse>> DetailsAsync(
        string accountId, string statementId, string requestId, int offset, int count, CancellationToken ct) =>
        PostAsync<RemittanceStatementDetailsResponse>(
            GspMethods.RemittanceStatementDetails,
            accountId,
            new RemittanceStatementDetailsRequest
            {
                RequestHeader = Header(requestId),
                PaymentIntegratorAccountId = accountId,
                StatementId = statementId,
                EventOffset = offset,
                NumberOfEvents = count,
            },
            ct);

    public Task<GoogleAnswer<AcceptRemittanceStatementResponse>> AcceptAsync(
        string accountId, string statementId, string requestId, CancellationToken ct) =>
        PostAsync<AcceptRemittanceStatementResponse>(
            GspMethods.AcceptRemittanceStatement,
            accountId,
            new AcceptRemittanceStatementRequest { RequestHeader = Header(requestId), PaymentIntegratorAccountId = accountId, StatementId = statementId },
            ct);

    private RequestHeader Header(string requestId) => new()
    {
        ProtocolVersion = new Gsp.V1.Version { Major = 1, Minor = 0, Revision = 0 },
        RequestId = requestId,
        RequestTimestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    private async Task<GoogleAnswer<TResponse>> PostAsync<TResponse>(string method, string accountId, IMessage request, CancellationToken ct)
        where TResponse : class, IMessage<TResponse>, new()
    {
        if (_base.Length == 0)
        {
            return new GoogleAnswer<TResponse>(null, null, 0, "Google:BaseUrl is not set");
        }

        using var content = new ByteArrayContent(codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(request))));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(codec.ContentType);
        using var message = new HttpRequestMessage(HttpMethod.Post, _base + method + "/" + Uri.EscapeDataString(accountId)) { Content = content };
        var started = time.GetTimestamp();
        try
        {
            using var response = await httpClients.CreateClient(GoogleNotificationSender.HttpClientName).SendAsync(message, ct);
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
                : new GoogleAnswer<TResponse>(null, status, latency, $"response is not a {method} response");
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var error = e is TaskCanceledException ? "timed out" : e.Message;
            return new GoogleAnswer<TResponse>(null, null, (long)time.GetElapsedTime(started).TotalMilliseconds, error);
        }
    }
}
