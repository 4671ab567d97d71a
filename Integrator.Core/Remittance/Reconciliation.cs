namespace Integrator.Core.Remittance;

/// <summary>
/// Compares a statement with our records (docs/gsp-rules.md §7, README "Remittance"). Every capture and refund event must name one of ours
/// (by Google's requestId of it) with the same amount (|eventCharge|; Google signs it, positive when we owe); every
/// capture and refund we made in the billing period must be listed; the events must add up (eventCharge + eventFee)
/// to totalDueByIntegrator, and be as many as Google said. No difference: MATCHED.
/// </summary>
public static class Reconciliation
{
    public const string UnknownToUs = "UNKNOWN_TO_US";
    public const string MissingFromGoogle = "MISSING_FROM_GOOGLE";
    public const string AmountDiffers = "AMOUNT_DIFFERS";
    public const string TotalDiffers = "TOTAL_DIFFERS";
    public const string Duplicate = "DUPLICATE_EVENT";
    public const string EventCountDiffers = "EVENT_COUNT_DIFFERS";

    public static IReadOnlyList<StatementDifference> Compare(
        long totalDueMicros,
        long totalEvents,
        IReadOnlyList<StatementEventRow> events,
        IReadOnlyDictionary<string, OurMovement> captures,
        IReadOnlyDictionary<string, OurMovement> refunds)
    {
        var differences = new List<StatementDifference>();
        var listed = new HashSet<(string, string)>();
        foreach (var e in events)
        {
            var ours = e.Kind == StatementEvents.Capture ? captures : refunds;
            var noun = e.Kind == StatementEvents.Capture ? "capture" : "refund";
            if (!listed.Add((e.Kind, e.EventRequestId)))
            {
                differences.Add(new(Duplicate, e.EventRequestId, null, e.ChargeMicros, $"The statement lists {noun} {e.EventRequestId} more than once."));
            }
            else if (!ours.TryGetValue(e.EventRequestId, out var movement))
            {
                differences.Add(new(UnknownToUs, e.EventRequestId, null, e.ChargeMicros, $"The statement lists a {noun} {e.EventRequestId} that we did not make."));
            }
            else if (Math.Abs(e.ChargeMicros) != movement.AmountMicros)
            {
                differences.Add(new(
                    AmountDiffers, e.EventRequestId, movement.AmountMicros, e.ChargeMicros,
                    $"The statement's {noun} {e.EventRequestId} is {Math.Abs(e.ChargeMicros)} micros; ours is {movement.AmountMicros}."));
            }
        }

        foreach (var (kind, ours) in new[] { (StatementEvents.Capture, captures), (StatementEvents.Refund, refunds) })
        {
            foreach (var movement in ours.Values.Where(m => m.InPeriod && !listed.Contains((kind, m.RequestId))).OrderBy(m => m.RequestId, StringComparer.Ordinal))
            {
                var noun = kind == StatementEvents.Capture ? "capture" : "refund";
                differences.Add(new(
                    MissingFromGoogle, movement.RequestId, movement.AmountMicros, null,
                    $"Our {noun} {movement.RequestId} of {movement.AmountMicros} micros in the billing period is not on the statement."));
            }
        }

        if (events.Count != totalEvents)
        {
            differences.Add(new(EventCountDiffers, null, events.Count, totalEvents, $"Google reported {totalEvents} events and listed {events.Count}."));
        }

        var sum = events.Sum(e => e.ChargeMicros + e.FeeMicros);
        if (sum != totalDueMicros)
        {
            differences.Add(new(TotalDiffers, null, sum, totalDueMicros, $"The events add up to {sum} micros; totalDueByIntegrator is {totalDueMicros}."));
        }

        return differences;
    }
}
