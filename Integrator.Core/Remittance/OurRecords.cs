using Integrator.Core.Storage;

namespace Integrator.Core.Remittance;

/// <summary>One of our captures or refunds as reconciliation compares it: Google's requestId of it, and its amount.</summary>
public sealed record OurMovement(string RequestId, long AmountMicros, bool InPeriod);

/// <summary>
/// Our side of a statement: the captures and refunds we made under its PIAID in its billing period, and any other ones
/// the statement names (Google accounts by its own timestamps, so an event near the period's edge may be ours from
/// just outside it).
/// </summary>
public sealed class OurRecords(Database database)
{
    // Dapper expands a list parameter into IN (...); chunks keep SQL Server under its 2,100-parameter limit.
    private const int Chunk = 500;

    private const string CapturesInPeriod = """
        SELECT capture_request_id AS request_id, amount_micros FROM captures
        WHERE payment_integrator_account_id = @AccountId AND captured_at >= @Start AND captured_at <= @End
        """;

    private const string CapturesById = """
        SELECT capture_request_id AS request_id, amount_micros FROM captures
        WHERE payment_integrator_account_id = @AccountId AND capture_request_id IN @Ids
        """;

    private const string RefundsInPeriod = """
        SELECT refund_request_id AS request_id, amount_micros FROM refunds
        WHERE payment_integrator_account_id = @AccountId AND created_at >= @Start AND created_at <= @End
        """;

    private const string RefundsById = """
        SELECT refund_request_id AS request_id, amount_micros FROM refunds
        WHERE payment_integrator_account_id = @AccountId AND refund_request_id IN @Ids
        """;

    public async Task<(Dictionary<string, OurMovement> Captures, Dictionary<string, OurMovement> Refunds)> LoadAsync(
        ClaimedStatement statement, IReadOnlyList<StatementEventRow> events, CancellationToken ct)
    {
        var captures = await LoadAsync(statement, CapturesInPeriod, CapturesById, events.Where(e => e.Kind == StatementEvents.Capture), ct);
        var refunds = await LoadAsync(statement, RefundsInPeriod, RefundsById, events.Where(e => e.Kind == StatementEvents.Refund), ct);
        return (captures, refunds);
    }

    private async Task<Dictionary<string, OurMovement>> LoadAsync(
        ClaimedStatement statement, string inPeriod, string byId, IEnumerable<StatementEventRow> named, CancellationToken ct)
    {
        var found = new Dictionary<string, OurMovement>(StringComparer.Ordinal);
        var period = new { AccountId = statement.PaymentIntegratorAccountId, Start = statement.BillingStart, End = statement.BillingEnd };
        foreach (var row in await database.QueryAsync<Row>(inPeriod, period, ct))
        {
            found[row.RequestId] = new OurMovement(row.RequestId, row.AmountMicros, InPeriod: true);
        }

        var others = named.Select(e => e.EventRequestId).Where(id => !found.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var ids in others.Chunk(Chunk))
        {
            foreach (var row in await database.QueryAsync<Row>(byId, new { AccountId = statement.PaymentIntegratorAccountId, Ids = ids }, ct))
            {
                found[row.RequestId] = new OurMovement(row.RequestId, row.AmountMicros, InPeriod: false);
            }
        }

        return found;
    }

    private sealed record Row(string RequestId, long AmountMicros);
}
