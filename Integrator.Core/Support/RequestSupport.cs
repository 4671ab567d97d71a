using System.Text.Json.Nodes;
using Integrator.Core.Gsp;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

/// <summary>One journal entry: what Google sent (tokens masked) and what we answered.</summary>
public sealed record JournalView(
    string PaymentIntegratorErrorIdentifier,
    DateTimeOffset ReceivedAt,
    string Method,
    string? PaymentIntegratorAccountId,
    string? RequestId,
    string? ReserveFundsRequestId,
    string Outcome,
    JsonNode? Request,
    int HttpStatus,
    JsonNode? Response,
    string? ErrorCode,
    long ReplayCount,
    DateTimeOffset? LastReplayedAt);

public sealed record ReplayReport(string Method, bool ServedFromIdempotencyStore, int HttpStatus, JsonNode Response);

/// <summary>The request journal and replay, for support (README "Support API").</summary>
public sealed class RequestSupport(Database database, IdempotencyStore idempotency, SupportAudit audit, TimeProvider time)
{
    private const string Select = $"""
        SELECT j.call_id, j.received_at, j.method, j.payment_integrator_account_id, j.request_id, j.reserve_funds_request_id,
               j.outcome, j.request_json, j.http_status, j.response_body, j.error_code,
               COALESCE(r.replay_count, 0) AS replay_count, r.last_replayed_at
        FROM {RequestJournal.WithReplays}
        """;

    private const string ByKey = $"""
        {Select}
        WHERE j.payment_integrator_account_id = @AccountId AND j.request_id = @RequestId ORDER BY j.received_at, j.call_id
        """;

    private const string ByIdentifier = $"{Select} WHERE j.call_id = @CallId";

    /// <summary>Every journal entry of (paymentIntegratorAccountId, requestId): refusals, then the execution, if any. Audited as a read.</summary>
    public async Task<Result<IReadOnlyList<JournalView>, SupportError>> GetAsync(
        string accountId, string requestId, SupportActor reader, CancellationToken ct)
    {
        var rows = await database.QueryAsync<Row>(ByKey, new { AccountId = accountId, RequestId = requestId }, ct);
        await audit.RecordAsync(new SupportAudit.Entry(reader, "read request", $"request {accountId}/{requestId}", null, rows.Count > 0 ? "shown" : "not found"), ct);
        return rows.Count > 0
            ? rows.Select(View).ToList()
            : SupportError.NotFound($"The journal holds no request '{requestId}' for '{accountId}'.");
    }

    /// <summary>The call behind a paymentIntegratorErrorIdentifier that Google's support quotes. Audited as a read.</summary>
    public async Task<Result<JournalView, SupportError>> GetByErrorIdentifierAsync(string identifier, SupportActor reader, CancellationToken ct)
    {
        var row = await database.QuerySingleOrDefaultAsync<Row>(ByIdentifier, new { CallId = identifier }, ct);
        await audit.RecordAsync(new SupportAudit.Entry(reader, "read request", $"call {identifier}", null, row is null ? "not found" : "shown"), ct);
        return row is not null ? View(row) : SupportError.NotFound($"The journal holds no call '{identifier}'.");
    }

    /// <summary>
    /// Runs a stored request again the way Google's retry would run: a completed request is answered from the
    /// idempotency store (same body, fresh responseTimestamp) and never causes a second side effect. A request that
    /// never completed has no stored answer and is not executed from here (Google's own retry processes it).
    /// </summary>
    public async Task<Result<ReplayReport, SupportError>> ReplayAsync(
        string accountId, string requestId, SupportActor actor, string? reason, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: false) is { } invalid)
        {
            return invalid;
        }

        var target = $"request {accountId}/{requestId}";
        var completed = await idempotency.FindDurableAsync(new IdempotencyKey(accountId, requestId), ct);
        if (completed is null or { IsPending: true })
        {
            await audit.RecordAsync(new SupportAudit.Entry(actor, "replay", target, reason, "refused: not completed"), ct);
            return SupportError.Conflict(
                $"Request '{requestId}' of '{accountId}' has no completed answer to replay (it was refused, or its record was purged). Nothing was executed.");
        }

        await audit.RecordAsync(new SupportAudit.Entry(actor, "replay", target, reason, "served from the idempotency store"), ct);
        var body = StoredResponses.Refreshed(completed.Method, completed.ResponseBody, time.GetUtcNow());
        return new ReplayReport(completed.Method, ServedFromIdempotencyStore: true, 200, JsonNode.Parse(body)!);
    }

    private static JournalView View(Row row) => new(
        row.CallId,
        row.ReceivedAt,
        row.Method,
        row.PaymentIntegratorAccountId,
        row.RequestId,
        row.ReserveFundsRequestId,
        row.Outcome,
        row.RequestJson is null ? null : JsonNode.Parse(row.RequestJson),
        row.HttpStatus,
        row.ResponseBody is null ? null : JsonNode.Parse(row.ResponseBody),
        row.ErrorCode,
        row.ReplayCount,
        row.LastReplayedAt);

    private sealed record Row
    {
        public required string CallId { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        public required string Method { get; init; }

        public string? PaymentIntegratorAccountId { get; init; }

        public string? RequestId { get; init; }

        public string? ReserveFundsRequestId { get; init; }

        public required string Outcome { get; init; }

        public string? RequestJson { get; init; }

        public int HttpStatus { get; init; }

        public string? ResponseBody { get; init; }

        public string? ErrorCode { get; init; }

        public long ReplayCount { get; init; }

        public DateTimeOffset? LastReplayedAt { get; init; }
    }
}
