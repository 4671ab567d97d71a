using Google.Protobuf;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp
{
    /// <summary>Every GSP response carries a responseHeader, refreshed on each replay.</summary>
    public interface IGspResponse : IMessage
    {
        ResponseHeader ResponseHeader { get; set; }
    }
}

namespace Integrator.Core.Gsp.V1
{
    public sealed partial class EchoResponse : IGspResponse;

    public sealed partial class ReserveFundsResponse : IGspResponse;

    public sealed partial class CaptureFundsReservationResponse : IGspResponse;

    public sealed partial class CancelFundsReservationResponse : IGspResponse;

    public sealed partial class RefundResponse : IGspResponse;

    public sealed partial class RemittanceStatementNotificationResponse : IGspResponse;

    public sealed partial class GetGeneratePaymentTokenRedirectStatusResponse : IGspResponse;
}
