using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

public sealed record AuditEntry(
    string AuditId, DateTimeOffset OccurredAt, string Actor, string Channel, string Action, string Target, string? Reason, string Outcome, JsonNode? Details);

/// <summary>
/// The audit trail of the support API and console: every action (release, replay, resend, recover, accept), sign-in and
/// read of customer data, with who took it, through which surface, when, on what, why and how it ended. A change and
/// its audit entry commit together; so do a refusal and its entry.
/// </summary>
public sealed class SupportAudit(Database database, TimeProvider time)
{
    private const string Insert = """
        INSERT INTO support_audit (audit_id, occurred_at, actor, action, target, reason, outcome, details)
        VALUES (@AuditId, @OccurredAt, @Actor, @Action, @Target, @Reason, @Outcome, @Details)
        """;

    private const string InsertChannel = "INSERT INTO support_audit_channels (audit_id, channel) VALUES (@AuditId, @Channel)";

    private const string Select = """
        SELECT a.audit_id, a.occurred_at, a.actor, COALESCE(c.channel, 'api') AS channel, a.action, a.target, a.reason, a.outcome, a.details
        FROM support_audit a LEFT JOIN support_audit_channels c ON c.audit_id = a.audit_id
        WHERE a.occurred_at >= @Since AND a.occurred_at < @Until AND (@Actor IS NULL OR a.actor = @Actor)
          AND (@Action IS NULL OR a.action = @Action)
          AND (@Channel IS NULL OR COALESCE(c.channel, 'api') = @Channel)
          AND (@TargetPattern IS NULL OR LOWER(a.target) LIKE @TargetPattern ESCAPE '!')
          AND (@Reads = 1 OR a.action NOT LIKE 'read %')
        ORDER BY a.occurred_at DESC, a.audit_id DESC
        """;

    public async Task RecordAsync(DbTx tx, Entry entry, CancellationToken ct)
    {
        var row = Parameters(entry);
        await tx.ExecuteAsync(Insert, row, ct);
        await tx.ExecuteAsync(InsertChannel, row, ct);
    }

    private const string OfTarget = """
        SELECT a.audit_id, a.occurred_at, a.actor, COALESCE(c.channel, 'api') AS channel, a.action, a.target, a.reason, a.outcome, a.details
        FROM support_audit a LEFT JOIN support_audit_channels c ON c.audit_id = a.audit_id
        WHERE a.target = @Target
        ORDER BY a.occurred_at DESC, a.audit_id DESC
        """;

    public Task RecordAsync(Entry entry, CancellationToken ct) => database.WriteAsync((tx, token) => RecordAsync(tx, entry, token), ct);

    public Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset since, DateTimeOffset until, string? actor, int limit, CancellationToken ct) =>
        ListAsync(new AuditFilter { Since = since, Until = until, Actor = actor, IncludeReads = true }, limit, ct);

    /// <summary>The newest entries that pass <paramref name="filter"/> (the object matched anywhere in the target, any case).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditFilter filter, int limit, CancellationToken ct) =>
        Entries(await database.QueryAsync<Row>(
            $"{Select} {database.Dialect.Limit("@Limit")}",
            new
            {
                filter.Since,
                filter.Until,
                Actor = FilterText.OrNull(filter.Actor),
                Action = FilterText.OrNull(filter.Action),
                Channel = FilterText.OrNull(filter.Channel),
                TargetPattern = FilterText.OrNull(filter.Target) is { } target ? LikePattern.Contains(target) : null,
                Reads = filter.IncludeReads ? 1 : 0,
                Limit = limit,
            },
            ct));

    /// <summary>The newest entries about one target (a reservation's page shows its own).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListForAsync(string target, int limit, CancellationToken ct) =>
        Entries(await database.QueryAsync<Row>($"{OfTarget} {database.Dialect.Limit("@Limit")}", new { Target = target, Limit = limit }, ct));

    private static List<AuditEntry> Entries(IReadOnlyList<Row> rows) =>
        rows.Select(r => new AuditEntry(
            r.AuditId, r.OccurredAt, r.Actor, r.Channel, r.Action, r.Target, r.Reason, r.Outcome,
            r.Details is null ? null : JsonNode.Parse(r.Details))).ToList();

    private object Parameters(Entry entry) => new
    {
        AuditId = Ids.New(),
        OccurredAt = time.GetUtcNow(),
        Actor = entry.Actor.Name,
        entry.Actor.Channel,
        entry.Action,
        entry.Target,
        entry.Reason,
        entry.Outcome,
        Details = entry.Details is null ? null : JsonSerializer.Serialize(entry.Details, entry.Details.GetType(), SupportJson.Options),
    };

    /// <summary>What the audit page narrows to: who, which action, which channel (api, console), which object, when; reads or not.</summary>
    public sealed record AuditFilter
    {
        public required DateTimeOffset Since { get; init; }

        public required DateTimeOffset Until { get; init; }

        public string? Actor { get; init; }

        public string? Action { get; init; }

        public string? Channel { get; init; }

        /// <summary>Any part of the target: an id, "reservation", "statement InvisiCashUSA_USD/…".</summary>
        public string? Target { get; init; }

        /// <summary>Whether pages support read ("read reservation" …) are listed beside the actions.</summary>
        public bool IncludeReads { get; init; }
    }

    /// <summary>One action to record; <see cref="Details"/> is any object, stored as JSON.</summary>
    public sealed record Entry(SupportActor Actor, string Action, string Target, string? Reason, string Outcome, object? Details = null);

    private sealed record Row
    {
        public required string AuditId { get; init; }

        public required string Channel { get; init; }

        public DateTimeOffset OccurredAt { get; init; }

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
