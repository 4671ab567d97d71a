using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Remittance;

/// <summary>The kinds of statement event reconciliation matches, and how Google's pages become stored events.</summary>
public static class StatementEvents
{
    public const string Capture = "CAPTURE";
    public const string Refund = "REFUND";

    public static IEnumerable<StatementEventRow> Of(RemittanceStatementDetailsResponse page, int firstPosition) =>
        page.CaptureEvents.Select(e => (Capture, e))
            .Concat(page.RefundEvents.Select(e => (Refund, e)))
            .Select((pair, i) => new StatementEventRow(
                firstPosition + i,
                pair.Item1,
                pair.e.EventRequestId,
                pair.e.PaymentIntegratorEventId is { Length: > 0 } id ? id : null,
                pair.e.EventCharge,
                pair.e.EventFee));
}
