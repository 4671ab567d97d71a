using System.Net.Http.Headers;
using System.Text;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Security;
using Microsoft.Extensions.Options;
using NotificationResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationRequest.Types.CancelFundsReservationResultCode;
using ResponseResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode;

namespace Integrator.Core.Notifications;

public sealed record SendOutcome(bool Delivered, int? HttpStatus, long LatencyMs, string? Error);

/// <summary>
/// Sends one cancelFundsReservationResultNotification to Google through the same message codec as our responses.
/// Delivered means HTTP 200 with an authenticated body whose result is SUCCESS; anything else is a failed attempt.
/// </summary>
public sealed class GoogleNotificationSender(
    IHttpClientFactory httpClients, IMessageCodec codec, IOptions<GoogleOptions> google, TimeProvider time)
{
    public const string HttpClientName = "google";

    private readonly string _endpoint = google.Value.BaseUrl is { } baseUrl
        ? baseUrl.ToString().TrimEnd('/') + "/" + google.Value.CancelNotificationPath.Trim('/') + "/"
        : string.Empty;

    public async Task<SendOutcome> SendAsync(ClaimedNotification notification, CancellationToken ct)
    {
        var request = new CancelFundsReservationResultNotificationRequest
        {
            RequestHeader = new RequestHeader
            {
                ProtocolVersion = new Gsp.V1.Version { Major = 1, Minor = 0, Revision = 0 },
                // Fixed when the row was created, identical on every attempt: Google de-duplicates on it.
                RequestId = notification.NotificationId,
                RequestTimestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
            },
            CancelFundsReservationRequestId = notification.CancelRequestId,
            PaymentIntegratorAccountId = notification.PaymentIntegratorAccountId,
            CancelFundsReservationResult = NotificationResult.Success,
        };
        using var content = new ByteArrayContent(codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(request))));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(codec.ContentType);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint + Uri.EscapeDataString(notification.PaymentIntegratorAccountId))
        {
            Content = content,
        };

        var started = time.GetTimestamp();
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            return status != 200
                ? new SendOutcome(false, status, latency, $"HTTP {status}")
                : Judge(body, response.Content.Headers.ContentType?.ToString()) is { } problem
                    ? new SendOutcome(false, status, latency, problem)
                    : new SendOutcome(true, status, latency, null);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var error = e is TaskCanceledException ? "timed out" : e.Message;
            return new SendOutcome(false, null, (long)time.GetElapsedTime(started).TotalMilliseconds, error);
        }
    }

    /// <summary>Null when Google's 200 body is authentic and says SUCCESS; otherwise why not.</summary>
    private string? Judge(byte[] body, string? contentType)
    {
        var opened = codec.Open(body, contentType);
        if (opened.Error is { } error)
        {
            return $"response refused: {error.CodeName}";
        }

        if (!GspJson.TryParse<CancelFundsReservationResultNotificationResponse>(opened.Json, out var response))
        {
            return "response is not a cancelFundsReservationResultNotification response";
        }

        return response.Result == ResponseResult.Success ? null : $"response result {response.Result}";
    }
}
