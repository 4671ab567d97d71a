using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>One call the target made to the kit's Google endpoint (a notification), and what the kit answered.</summary>
public sealed record ReceivedNotification(DateTimeOffset At, Uri Url, string Text, JsonNode? Body, int AnsweredStatus, string Answer)
{
    public string Path => Url.AbsolutePath;

    public string? RequestId => Body?["requestHeader"]?["requestId"]?.GetValue<string>();

    public string? CancelRequestId => Body?["cancelFundsReservationRequestId"]?.GetValue<string>();

    public Exchange AsExchange(bool isSealed) =>
        new(Path.Split('/').SkipWhile(p => p != "redirect-payment-token-v1").Skip(1).FirstOrDefault() ?? Path, Url, Text, At, AnsweredStatus, Answer, isSealed, FromTarget: true);
}
