using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>One cancelFundsReservationResultNotification as Google received it, and what the kit answered.</summary>
public sealed record ReceivedNotification(DateTimeOffset At, string Path, JsonNode? Body, int AnsweredStatus)
{
    public string? RequestId => Body?["requestHeader"]?["requestId"]?.GetValue<string>();

    public string? CancelRequestId => Body?["cancelFundsReservationRequestId"]?.GetValue<string>();
}
