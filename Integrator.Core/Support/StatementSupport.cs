using System.Text.Json.Nodes;
using Integrator.Core.Remittance;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

/// <summary>A remittance statement in a list: where it stands and what is due.</summary>
public sealed record StatementSummaryView(
    string PaymentIntegratorAccountId,
    string StatementId,
    string PaymentIntegratorStatementId,
    string Status,
    MoneyView TotalDueByIntegrator,
    DateTimeOffset BillingPeriodStart,
    DateTimeOffset BillingPeriodEnd,
    DateTimeOffset? DateDue,
    DateTimeOffset ReceivedAt,
    long? EventCount,
    bool AcceptancePending,
    DateTimeOffset? AcceptedAt,
    string? AcceptedBy,
    long AttemptCount,
    DateTimeOffset? NextAttemptAt,
    string? LastError);

public sealed record StatementEventView(long Position, string Kind, string EventRequestId, string? PaymentIntegratorEventId, MoneyView Charge, MoneyView Fee);

public sealed record StatementDifferenceView(string Kind, string? RequestId, MoneyView? Ours, MoneyView? Google, string Detail);

public sealed record StatementCallView
{
    public DateTimeOffset AttemptedAt { get; init; }

    public required string Method { get; init; }

    public required string RequestId { get; init; }

    public required string Dispatcher { get; init; }

    public int? HttpStatus { get; init; }

    public long LatencyMs { get; init; }

    public required string Outcome { get; init; }

    public string? Error { get; init; }
}

/// <summary>
/// One statement with everything reconciliation saw: Google's summary as sent, a page of its events (from
/// <see cref="EventOffset"/>; <see cref="StatementSummaryView.EventCount"/> in all), the first differences
/// (<see cref="DifferenceCount"/> in all) and the latest calls to Google.
/// </summary>
public sealed record StatementView(
    StatementSummaryView Statement,
    JsonNode? Summary,
    int EventOffset,
    IReadOnlyList<StatementEventView> Events,
    long DifferenceCount,
    IReadOnlyList<StatementDifferenceView> Differences,
    IReadOnlyList<StatementCallView> Calls);

/// <summary>
/// What accepting a statement means in money: Google's total due, ours (our captures less our refunds under its
/// PIAID, in its currency and billing period), and the difference (Google's less ours).
/// </summary>
public sealed record StatementTotals(string Status, bool AcceptanceRequested, MoneyView Google, MoneyView Ours, MoneyView Difference);

/// <summary>Remittance statements for support (README "Remittance"): list, inspect, and accept a discrepancy by hand.</summary>
public sealed class StatementSupport(Database database, SupportAudit audit, IOptions<FourEyesOptions> fourEyes, TimeProvider time)
{
    public const int MaxPageSize = 500;

    /// <summary>Events shown per page of a statement, differences and calls at most.</summary>
    public const int DetailPageSize = 200;

    private const string Columns = """
        statement_row_id, payment_integrator_account_id, statement_id, summary_json, currency_code, total_due_micros,
        billing_start, billing_end, date_due, status, event_count, accept_request_id, accepted_by, accepted_at,
        received_at, attempt_count, next_attempt_at, last_error
        """;

    private const string List = $"""
        SELECT {Columns} FROM remittance_statements WHERE (@Status IS NULL OR status = @Status)
        ORDER BY received_at DESC, statement_row_id DESC
        """;

    private const string One = $"""
        SELECT {Columns} FROM remittance_statements WHERE payment_integrator_account_id = @AccountId AND statement_id = @StatementId
        """;

    private const string Events = """
        SELECT position, kind, event_request_id, payment_integrator_event_id, charge_micros, fee_micros FROM remittance_events
        WHERE statement_row_id = @StatementRowId AND position >= @Offset AND position < @Offset + @Limit ORDER BY position
        """;

    private const string Differences = """
        SELECT kind, request_id, ours_micros, google_micros, detail FROM remittance_differences
        WHERE statement_row_id = @StatementRowId ORDER BY kind, request_id
        """;

    private const string DifferenceCount = "SELECT COUNT(*) FROM remittance_differences WHERE statement_row_id = @StatementRowId";

    private const string Calls = """
        SELECT attempted_at, method, request_id, dispatcher, http_status, latency_ms, outcome, error FROM remittance_calls
        WHERE statement_row_id = @StatementRowId ORDER BY attempted_at DESC, call_id DESC
        """;

    private const string OurTotal = """
        SELECT (SELECT COALESCE(SUM(amount_micros), 0) FROM captures
                WHERE payment_integrator_account_id = @AccountId AND currency_code = @CurrencyCode AND captured_at >= @Start AND captured_at <= @End)
             - (SELECT COALESCE(SUM(f.amount_micros), 0) FROM refunds f JOIN captures c ON c.capture_id = f.capture_id
                WHERE f.payment_integrator_account_id = @AccountId AND c.currency_code = @CurrencyCode AND f.created_at >= @Start AND f.created_at <= @End)
        """;

    // The guard is the WHERE clause: acceptance is asked for once, of a reconciled statement not yet accepted.
    private const string RequestAcceptance = """
        UPDATE remittance_statements
        SET accept_request_id = @AcceptRequestId, accepted_by = @Actor, accept_reason = @Reason, next_attempt_at = @Now,
            attempt_count = 0, last_error = NULL, updated_at = @Now
        WHERE statement_row_id = @StatementRowId AND status IN ('MATCHED', 'DISCREPANCY') AND accept_request_id IS NULL
        """;

    public async Task<Result<IReadOnlyList<StatementSummaryView>, SupportError>> ListAsync(string? status, int limit, CancellationToken ct)
    {
        var wanted = WireValue.Find<StatementStatus>(status);
        if (status is not null && wanted is null)
        {
            return SupportError.Invalid($"status must be one of {string.Join(", ", StatementStatus.All.Select(s => s.Wire).Order())}.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return SupportError.Invalid($"limit must be between 1 and {MaxPageSize}.");
        }

        var rows = await database.QueryAsync<Row>($"{List} {database.Dialect.Limit("@Limit")}", new { Status = wanted, Limit = limit }, ct);
        return rows.Select(Summary).ToList();
    }

    /// <param name="eventOffset">The position of the first event shown (events are numbered from 0 as Google listed them).</param>
    public async Task<Result<StatementView, SupportError>> GetAsync(string accountId, string statementId, int eventOffset, CancellationToken ct)
    {
        if (eventOffset < 0)
        {
            return SupportError.Invalid("eventOffset must not be negative.");
        }

        var row = await database.QuerySingleOrDefaultAsync<Row>(One, new { AccountId = accountId, StatementId = statementId }, ct);
        if (row is null)
        {
            return NotFound(accountId, statementId);
        }

        var key = new { row.StatementRowId, Offset = eventOffset, Limit = DetailPageSize };
        var limit = database.Dialect.Limit("@Limit");
        var events = await database.QueryAsync<EventRow>(Events, key, ct);
        var differences = await database.QueryAsync<DifferenceRow>($"{Differences} {limit}", key, ct);
        var calls = (await database.QueryAsync<StatementCallView>($"{Calls} {limit}", key, ct)).Reverse().ToList();
        return new StatementView(
            Summary(row),
            JsonNode.Parse(row.SummaryJson),
            eventOffset,
            events.Select(e => new StatementEventView(
                e.Position, e.Kind, e.EventRequestId, e.PaymentIntegratorEventId, MoneyView.Of(e.ChargeMicros, row.CurrencyCode), MoneyView.Of(e.FeeMicros, row.CurrencyCode))).ToList(),
            await database.QuerySingleOrDefaultAsync<long>(DifferenceCount, key, ct),
            differences.Select(d => new StatementDifferenceView(
                d.Kind, d.RequestId, d.OursMicros is { } o ? MoneyView.Of(o, row.CurrencyCode) : null, d.GoogleMicros is { } g ? MoneyView.Of(g, row.CurrencyCode) : null, d.Detail)).ToList(),
            calls);
    }

    /// <summary>
    /// Support accepts a reconciled statement by hand (a DISCREPANCY, or a MATCHED one when AutoAccept is off): the job
    /// then calls acceptRemittanceStatement. Audited with the reason, which is required.
    /// </summary>
    public Task<Result<StatementView, SupportError>> AcceptAsync(
        string accountId, string statementId, SupportActor actor, string? reason, CancellationToken ct) =>
        AcceptAsync(accountId, statementId, actor, reason, approved: false, ct);

    /// <summary>The amounts a person agrees to by accepting the statement (the confirmation page, a proposal's summary).</summary>
    public async Task<Result<StatementTotals, SupportError>> TotalsAsync(string accountId, string statementId, CancellationToken ct)
    {
        var row = await database.QuerySingleOrDefaultAsync<Row>(One, new { AccountId = accountId, StatementId = statementId }, ct);
        if (row is null)
        {
            return NotFound(accountId, statementId);
        }

        var ours = await database.QuerySingleOrDefaultAsync<long>(
            OurTotal, new { AccountId = accountId, row.CurrencyCode, Start = row.BillingStart, End = row.BillingEnd }, ct);
        return new StatementTotals(
            row.Status.Wire,
            row.AcceptRequestId is not null,
            MoneyView.Of(row.TotalDueMicros, row.CurrencyCode),
            MoneyView.Of(ours, row.CurrencyCode),
            MoneyView.Of(row.TotalDueMicros - ours, row.CurrencyCode));
    }

    /// <param name="approved">A second person approved it (<see cref="ProposalSupport"/>): four eyes are satisfied.</param>
    internal async Task<Result<StatementView, SupportError>> AcceptAsync(
        string accountId, string statementId, SupportActor actor, string? reason, bool approved, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: true) is { } invalid)
        {
            return invalid;
        }

        var target = $"statement {accountId}/{statementId}";
        var refusal = await database.WriteAsync(
            async (tx, token) =>
            {
                var row = await tx.QuerySingleOrDefaultAsync<Row>(One, new { AccountId = accountId, StatementId = statementId }, token);
                if (row is null)
                {
                    return Write.RollBack<SupportError?>(NotFound(accountId, statementId));
                }

                if (!approved && fourEyes.Value.AcceptDiscrepancy && row.Status == StatementStatus.Discrepancy)
                {
                    await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "accept statement", target, reason, "refused: needs a second person"), token);
                    return Write.Commit<SupportError?>(SupportError.Conflict(
                        "Accepting a discrepancy needs a second person here (Console:FourEyes:AcceptDiscrepancy): propose it, and another Operator approves."));
                }

                var now = time.GetUtcNow();
                var args = new { row.StatementRowId, AcceptRequestId = Ids.New(), Actor = actor.Name, Reason = reason, Now = now };
                if (await tx.ExecuteAsync(RequestAcceptance, args, token) == 1)
                {
                    await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "accept statement", target, reason, "acceptance requested", new { PreviousStatus = row.Status.Wire }), token);
                    return Write.Commit<SupportError?>(null);
                }

                var why = row.Status == StatementStatus.Received ? "it is not reconciled yet"
                    : row.Status == StatementStatus.Accepted ? "it was accepted already"
                    : "its acceptance was requested already";
                await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "accept statement", target, reason, "refused: " + why), token);
                return Write.Commit<SupportError?>(SupportError.Conflict($"Statement {statementId} cannot be accepted: {why}."));
            },
            ct);
        return refusal is not null ? refusal : await GetAsync(accountId, statementId, 0, ct);
    }

    private static SupportError NotFound(string accountId, string statementId) =>
        SupportError.NotFound($"No remittance statement '{statementId}' for '{accountId}'.");

    private static StatementSummaryView Summary(Row row) => new(
        row.PaymentIntegratorAccountId,
        row.StatementId,
        row.StatementRowId,
        row.Status.Wire,
        MoneyView.Of(row.TotalDueMicros, row.CurrencyCode),
        row.BillingStart,
        row.BillingEnd,
        row.DateDue,
        row.ReceivedAt,
        row.EventCount,
        row.AcceptRequestId is not null && row.AcceptedAt is null,
        row.AcceptedAt,
        row.AcceptedBy,
        row.AttemptCount,
        row.NextAttemptAt,
        row.LastError);

    // Money needs the statement's currency to become a MoneyView; these carry the columns until then.
    private sealed record Row
    {
        public required string StatementRowId { get; init; }

        public required string PaymentIntegratorAccountId { get; init; }

        public required string StatementId { get; init; }

        public required string SummaryJson { get; init; }

        public required string CurrencyCode { get; init; }

        public long TotalDueMicros { get; init; }

        public DateTimeOffset BillingStart { get; init; }

        public DateTimeOffset BillingEnd { get; init; }

        public DateTimeOffset? DateDue { get; init; }

        public StatementStatus Status { get; init; }

        public long? EventCount { get; init; }

        public string? AcceptRequestId { get; init; }

        public string? AcceptedBy { get; init; }

        public DateTimeOffset? AcceptedAt { get; init; }

        public DateTimeOffset ReceivedAt { get; init; }

        public long AttemptCount { get; init; }

        public DateTimeOffset? NextAttemptAt { get; init; }

        public string? LastError { get; init; }
    }

    private sealed record EventRow
    {
        public long Position { get; init; }

        public required string Kind { get; init; }

        public required string EventRequestId { get; init; }

        public string? PaymentIntegratorEventId { get; init; }

        public long ChargeMicros { get; init; }

        public long FeeMicros { get; init; }
    }

    private sealed record DifferenceRow
    {
        public required string Kind { get; init; }

        public string? RequestId { get; init; }

        public long? OursMicros { get; init; }

        public long? GoogleMicros { get; init; }

        public required string Detail { get; init; }
    }
}
