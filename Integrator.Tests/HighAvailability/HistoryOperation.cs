namespace Integrator.Tests.HighAvailability;

/// <summary>How a client saw an operation end: answered (200), refused for good (a 4xx), or not known (503, 500, 409, no answer).</summary>
public enum OperationOutcome
{
    Ok,
    Fail,
    Unknown,
}

/// <summary>
/// One Google call as a client recorded it, Jepsen-style: what was asked (method, requestId, the reservation or
/// capture it names, the amount), when it was invoked and completed, and how it ended with the answer's status and body.
/// </summary>
public sealed record HistoryOperation(
    int Id,
    string Client,
    string Method,
    string RequestId,
    string? ReserveId,
    string? CaptureRequestId,
    long Amount,
    DateTimeOffset Invoked,
    DateTimeOffset Completed,
    OperationOutcome Outcome,
    int? Status,
    string? Body)
{
    /// <summary>The answer's <c>result</c> (SUCCESS, a decline), for a 200.</summary>
    public string? Result => Body is null ? null : System.Text.Json.Nodes.JsonNode.Parse(Body)?["result"]?.GetValue<string>();

    public bool Succeeded => Outcome == OperationOutcome.Ok && Result == "SUCCESS";
}
