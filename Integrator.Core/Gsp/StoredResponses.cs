using Google.Protobuf.Reflection;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp;

/// <summary>
/// A stored 200 body as a retry gets it now (docs/gsp-rules.md §3): every byte as first answered except a fresh
/// responseTimestamp. Used by the idempotent executor and by support's replay alike.
/// </summary>
public static class StoredResponses
{
    private static readonly Dictionary<string, MessageDescriptor> ResponseOf = new(StringComparer.Ordinal)
    {
        [GspMethods.ReserveFunds] = ReserveFundsResponse.Descriptor,
        [GspMethods.CaptureFundsReservation] = CaptureFundsReservationResponse.Descriptor,
        [GspMethods.CancelFundsReservation] = CancelFundsReservationResponse.Descriptor,
        [GspMethods.Refund] = RefundResponse.Descriptor,
        [GspMethods.RemittanceStatementNotification] = RemittanceStatementNotificationResponse.Descriptor,
        [GspMethods.GetGeneratePaymentTokenRedirectStatus] = GetGeneratePaymentTokenRedirectStatusResponse.Descriptor,
    };

    public static string Refreshed(string method, string storedBody, long nowMillis)
    {
        if (!ResponseOf.TryGetValue(method, out var descriptor))
        {
            throw new InvalidOperationException($"No stored response shape for method {method}.");
        }

        var response = (IGspResponse)GspJson.ParseTrusted(storedBody, descriptor);
        response.ResponseHeader = new ResponseHeader { ResponseTimestamp = nowMillis };
        return GspJson.Format(response);
    }
}
