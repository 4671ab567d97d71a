using System.Diagnostics.Metrics;

namespace Integrator.Core.Pipeline;

/// <summary>
/// The Google-facing calls as an operator counts them (meter <c>Integrator.Gsp</c>): requests by method, outcome
/// (executed, replayed, answered, or the error code) and HTTP status, and their latency.
/// </summary>
public sealed class GspMetrics
{
    public const string MeterName = Telemetry.GspMeterName;

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public GspMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("integrator.gsp.requests", description: "Google calls, by method, outcome and HTTP status.");
        _duration = meter.CreateHistogram<double>("integrator.gsp.duration", "ms", "Time from the call's arrival to its answer, by method.");
    }

    public void Record(string method, string outcome, int httpStatus, double milliseconds)
    {
        _requests.Add(
            1,
            new KeyValuePair<string, object?>("method", method),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("http_status", httpStatus));
        _duration.Record(milliseconds, new KeyValuePair<string, object?>("method", method));
    }
}
