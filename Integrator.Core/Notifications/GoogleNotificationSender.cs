using Integrator.Core.Gsp.V1;
using Microsoft.Extensions.Options;
using NotificationResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationRequest.Types.CancelFundsReservationResultCode;
using ResponseResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode;

namespace Integrator.Core.Notifications;

public sealed record SendOutcome(bool Delivered, int? HttpStatus, long LatencyMs, string? Error);

/// <summary>
/// Sends one cancelFundsReservationResultNotification to Google through <see cref="GoogleClient"/>. Delivered means
/// HTTP 200 with an authenticated body whose result is SUCCESS; anything else is a failed attempt.
/// </summary>
public sealed class GoogleNotificationSender(GoogleClient client, IOptions<GoogleOptions> google, TimeProvider time)
{
    private readonly string _path = google.Value.CancelNotificationPath;

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
        var answer = await client.PostAsync<CancelFundsReservationResultNotificationResponse>(
            _path, notification.PaymentIntegratorAccountId, request, "cancelFundsReservationResultNotification response", ct);
        var error = answer.Error
            ?? (answer.Response!.Result == ResponseResult.Success ? null : $"response result {answer.Response.Result}");
        return new SendOutcome(error is null, answer.HttpStatus, answer.LatencyMs, error);
    }
}
