using Integrator.Core.GoogleApi;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Microsoft.Extensions.Options;
using NotificationResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationRequest.Types.CancelFundsReservationResultCode;
using ResponseResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode;

namespace Integrator.Core.Notifications;

public sealed record SendOutcome(bool Delivered, int? HttpStatus, long LatencyMs, string? Error);

/// <summary>
/// Sends one outbox row to Google through <see cref="GoogleClient"/>: a cancelFundsReservationResultNotification
/// (delivered on <c>result: SUCCESS</c>) or a generatePaymentTokenRedirectCompleteNotification (delivered on
/// <c>result: {accepted: {}}</c>). Anything else is a failed attempt. The row's id is the notification's requestId,
/// fixed when the row was created and identical on every attempt: Google de-duplicates on it.
/// </summary>
public sealed class GoogleNotificationSender(GoogleClient client, IOptions<GoogleOptions> google, TimeProvider time)
{
    private readonly GoogleOptions _google = google.Value;

    public Task<SendOutcome> SendAsync(ClaimedNotification notification, CancellationToken ct) => notification.Kind switch
    {
        NotificationKinds.CancelResult => SendCancelResultAsync(notification, ct),
        NotificationKinds.RedirectComplete => SendRedirectCompleteAsync(notification, ct),
        _ => Task.FromResult(new SendOutcome(false, null, 0, $"unknown notification kind {notification.Kind}")),
    };

    private async Task<SendOutcome> SendCancelResultAsync(ClaimedNotification notification, CancellationToken ct)
    {
        var request = new CancelFundsReservationResultNotificationRequest
        {
            RequestHeader = Header(notification, minor: 0),
            CancelFundsReservationRequestId = notification.CancelRequestId,
            PaymentIntegratorAccountId = notification.PaymentIntegratorAccountId,
            CancelFundsReservationResult = NotificationResult.Success,
        };
        var answer = await client.PostAsync<CancelFundsReservationResultNotificationResponse>(
            _google.CancelNotificationPath, notification.PaymentIntegratorAccountId, request, "cancelFundsReservationResultNotification response", ct);
        var error = answer.Error
            ?? (answer.Response!.Result == ResponseResult.Success ? null : $"response result {answer.Response.Result}");
        return new SendOutcome(error is null, answer.HttpStatus, answer.LatencyMs, error);
    }

    private async Task<SendOutcome> SendRedirectCompleteAsync(ClaimedNotification notification, CancellationToken ct)
    {
        var request = new GeneratePaymentTokenRedirectCompleteNotificationRequest
        {
            // Google's example of this call names protocol version 1.1.0 (docs/gsp-rules.md §8).
            RequestHeader = Header(notification, minor: 1),
            RedirectRequestId = notification.RedirectRequestId,
            Result = RedirectResults.ToMessage(notification.Result),
        };
        var answer = await client.PostAsync<GeneratePaymentTokenRedirectCompleteNotificationResponse>(
            _google.RedirectCompleteNotificationPath, notification.PaymentIntegratorAccountId, request,
            "generatePaymentTokenRedirectCompleteNotification response", ct);
        var error = answer.Error
            ?? (answer.Response!.Result?.ResultCase == RedirectPaymentNotificationResult.ResultOneofCase.Accepted
                ? null
                : $"response result {answer.Response.Result?.ResultCase.ToString() ?? "missing"}");
        return new SendOutcome(error is null, answer.HttpStatus, answer.LatencyMs, error);
    }

    private RequestHeader Header(ClaimedNotification notification, int minor) =>
        RequestHeader.For(notification.NotificationId, time.GetUtcNow(), minor);
}
