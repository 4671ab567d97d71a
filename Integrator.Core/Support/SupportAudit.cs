using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

public sealed record AuditEntry(
    string AuditId, DateTimeOffset OccurredAt, string Actor, string Action, string Target, string? Reason, string Outcome, JsonNode? Details);

/// <summary>
/// The audit trail of the support API: every action (release, replay, resend, recover) with who took it, when, on
/// what, why and how it ended. A change and its audit entry commit together; a refused action is audited on its own.
/// </summary>
public sealed class SupportAudit(Database database, TimeProvider time)
{
    private const string Insert = """
        INSERT INTO support_audit (audit_id, occurred_at, actor, action, target, reason, outcome, details)
        VALUES (@AuditId, @OccurredAt, @Actor, @Action, @Target, @Reason, @Outcome, @Details)
        """;

    private const string Select = """
        SELECT audit_id, occurred_at, actor, action, target, reason, outcome, details FROM support_audit
        WHERE occurred_at >= @Since AND occurred_at < @Until AND (@Actor IS NULL OR actor = @Actor)
        ORDER BY occurred_at DESC, audit_id DESC
        """;

    public Task RecordAsync(DbTx tx, Entry entry, CancellationToken ct) => tx.ExecuteAsync(Insert, Parameters(entry), ct);

    public Task RecordAsync(Entry entry, CancellationToken ct) => database.ExecuteAsync(Insert, Parameters(entry), ct);

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset since, DateTimeOffset until, string? actor, int limit, CancellationToken ct)
    {
        var rows = await database.QueryAsync<Row>(
            $"{Select} {database.Dialect.Limit("@Limit")}",
            new { Since = since.ToUnixTimeMilliseconds(), Until = until.ToUnixTimeMilliseconds(), Actor = actor, Limit = limit },
            ct);
        return rows.Select(r => new AuditEntry(
            r.AuditId, DateTimeOffset.FromUnixTimeMilliseconds(r.OccurredAt), r.Actor, r.Action, r.Target, r.Reason, r.Outcome,
            r.Details is null ? null : JsonNode.Parse(r.Details))).ToList();
    }

    private object Parameters(Entry entry) => new
    {
        AuditId = Ids.New(),
        OccurredAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        Actor = entry.Actor.Name,
        entry.Action,
        entry.Target,
        entry.Reason,
        entry.Outcome,
        Details = entry.Details is null ? null : JsonSerializer.Serialize(entry.Details, entry.Details.GetType(), SupportJson.Options),
    };

    /// <summary>One action to record; <see cref="Details"/> is any object, stored as JSON.</summary>
    public sealed record Entry(SupportActor Actor, string Action, string Target, string? Reason, string Outcome, object? Details = null);

    private sealed record Row
    {
        public required string AuditId { get; init; }

        public long OccurredAt { get; init; }

        public required string Actor { get; init; }

        public required string Action { get; init; }

        public required string Target { get; init; }

        public string? Reason { get; init; }

        public required string Outcome { get; init; }

        public string? Details { get; init; }
    }
}

internal static class SupportJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
