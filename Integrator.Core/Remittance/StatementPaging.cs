namespace Integrator.Core.Remittance;

/// <summary>
/// Google's remittanceStatementDetails paging, checked page by page: each page at the offset asked for, no larger than
/// asked, totalEvents the same on every page and within <c>Remittance:MaxEvents</c>, nextEventOffset advancing by exactly
/// the page's count and never past totalEvents, and the last page ending at totalEvents. A hostile or broken pager is
/// refused after one page too many, never followed without end.
/// </summary>
public sealed class StatementPaging(int pageSize, int maxEvents)
{
    private int? _totalEvents;

    /// <summary>The offset the next page is asked for.</summary>
    public int NextOffset { get; private set; }

    /// <summary>totalEvents as Google gave it (0 before the first page).</summary>
    public int TotalEvents => _totalEvents ?? 0;

    /// <summary>Every event has been received.</summary>
    public bool Complete { get; private set; }

    /// <returns>Why the page is refused, or null when it holds together (the paging then moves on).</returns>
    public string? Accept(Gsp.V1.RemittanceStatementDetailsResponse page, int count)
    {
        var refusal = Check(page, count);
        if (refusal is null)
        {
            NextOffset += count;
            Complete = NextOffset == page.TotalEvents;
        }

        return refusal;
    }

    private string? Check(Gsp.V1.RemittanceStatementDetailsResponse page, int count)
    {
        if (page.TotalEvents < 0 || page.TotalEvents > maxEvents)
        {
            return $"totalEvents {page.TotalEvents} is outside 0..{maxEvents} (Remittance:MaxEvents)";
        }

        if (_totalEvents is { } total && total != page.TotalEvents)
        {
            return $"totalEvents changed from {total} to {page.TotalEvents} between pages";
        }

        _totalEvents = page.TotalEvents;
        var end = (long)NextOffset + count;
        return page.EventOffset != NextOffset ? $"the page starts at eventOffset {page.EventOffset}, not at {NextOffset} as asked"
            : count > pageSize ? $"the page holds {count} events, more than the {pageSize} asked for"
            : end > page.TotalEvents ? $"the page ends at event {end}, past totalEvents {page.TotalEvents}"
            : page.HasNextEventOffset && page.NextEventOffset != end ? $"nextEventOffset {page.NextEventOffset} does not follow the page's {count} events (expected {end})"
            : !page.HasNextEventOffset && end != page.TotalEvents ? $"the pages end at event {end} of totalEvents {page.TotalEvents}"
            : count == 0 && end != page.TotalEvents ? "an empty page before the end"
            : null;
    }
}
