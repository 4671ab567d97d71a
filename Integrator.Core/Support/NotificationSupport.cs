using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

public sealed record AttemptView
{
    public DateTimeOffset AttemptedAt { get; init; }

    public required string Dispatcher { get; init; }

    public int? HttpStatus { get; init; }

    public long LatencyMs { get; init; }

    public required string Outcome { get; init; }

    public string? Error { get; init; }
}

/// <summary>
/// An outbox row; <see cref="NotificationId"/> is also its GSP requestId, the same on every attempt. A CANCEL_RESULT
/// names its cancel request and reservation, a REDIRECT_COMPLETE its redirect.
/// </summary>
public sealed record NotificationView
{
    public required string NotificationId { get; init; }

    public required string Kind { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public string? CancelRequestId { get; init; }

    public string? ReservationId { get; init; }

    /// <summary>Google's id of the reservation a cancel result is about (the console links to it).</summary>
    public string? ReserveFundsRequestId { get; init; }

    public string? RedirectRequestId { get; init; }

    public required string Result { get; init; }

    public required string Status { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    public long AttemptCount { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpiresAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? LastError { get; init; }

    /// <summary>Every attempt, on one notification's page; null in lists.</summary>
    public IReadOnlyList<AttemptView>? Attempts { get; init; }
}

/// <summary>One page; <see cref="Next"/> continues after its last row.</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationView> Items, string? Next);

public sealed record ResendReport(NotificationView Notification, string PreviousStatus);

public sealed record RecoverReport(int Rearmed, DateTimeOffset Since, DateTimeOffset Until);

/// <summary>
/// The outbox for support (README "Support API"): list and inspect rows with every attempt, re-arm one (not while a dispatcher
/// holds it, not once delivered unless forced with a reason) or every DEAD one in a window. A re-armed row is due at
/// once and keeps its GSP requestId; past its horizon it gets that one attempt before it is DEAD again.
/// </summary>
public sealed class NotificationSupport(Database database, SupportAudit audit, IOptions<FourEyesOptions> fourEyes, TimeProvider time)
{
    public const int MaxPageSize = 500;

    private const string Columns = """
        o.notification_id, o.kind, o.payment_integrator_account_id, o.cancel_request_id, o.reservation_id, o.redirect_request_id, o.result,
        o.status, o.created_at, o.next_attempt_at, o.attempt_count, o.lease_owner, o.lease_expires_at, o.delivered_at, o.last_error,
        r.reserve_request_id AS reserve_funds_request_id
        FROM outbox o LEFT JOIN reservations r ON r.reservation_id = o.reservation_id
        """;

    private const string List = $"""
        SELECT {Columns}
        WHERE (@Status IS NULL OR o.status = @Status) AND o.created_at >= @Since AND o.created_at < @Until
          AND (o.created_at > @AfterCreatedAt OR (o.created_at = @AfterCreatedAt AND o.notification_id > @AfterId))
        ORDER BY o.created_at, o.notification_id
        """;

    private const string One = $"SELECT {Columns} WHERE o.notification_id = @NotificationId";

    private const string Attempts = """
        SELECT attempted_at, dispatcher, http_status, latency_ms, outcome, error FROM outbox_attempts
        WHERE notification_id = @NotificationId ORDER BY attempted_at, attempt_id
        """;

    // The guard is the WHERE clause: no check-then-act race with a dispatcher claiming the row.
    private const string Rearm = """
        UPDATE outbox SET status = 'PENDING', next_attempt_at = @Now, lease_owner = NULL, lease_expires_at = NULL
        WHERE notification_id = @NotificationId AND (lease_owner IS NULL OR lease_expires_at <= @Now)
          AND (status <> 'DELIVERED' OR @Force = 1)
        """;

    private const string RecoverDead = """
        UPDATE outbox SET status = 'PENDING', next_attempt_at = @Now, lease_owner = NULL, lease_expires_at = NULL
        WHERE status = 'DEAD' AND created_at >= @Since AND created_at < @Until
        """;

    private const string CountDead = "SELECT COUNT(*) FROM outbox WHERE status = 'DEAD' AND created_at >= @Since AND created_at < @Until";

    /// <summary>How many DEAD rows a recover of this window would re-arm (the console's preview).</summary>
    public async Task<Result<RecoverReport, SupportError>> PreviewRecoverAsync(DateTimeOffset? since, DateTimeOffset? until, CancellationToken ct)
    {
        if (since is null || until is null || since >= until)
        {
            return SupportError.Invalid("since and until are required, and since must come before until.");
        }

        var count = await database.QuerySingleOrDefaultAsync<long>(
            CountDead, new { Since = since.Value, Until = until.Value }, ct);
        return new RecoverReport((int)count, since.Value, until.Value);
    }

    public async Task<Result<NotificationPage, SupportError>> ListAsync(
        string? status, DateTimeOffset? since, DateTimeOffset? until, int limit, string? after, CancellationToken ct)
    {
        if (status is not (null or "PENDING" or "DELIVERED" or "DEAD"))
        {
            return SupportError.Invalid("status must be PENDING, DELIVERED or DEAD.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return SupportError.Invalid($"limit must be between 1 and {MaxPageSize}.");
        }

        var (afterCreatedAt, afterId) = (DateTimeOffset.MinValue, string.Empty);
        if (after is not null && !ListCursor.TryParse(after, out afterCreatedAt, out afterId))
        {
            return SupportError.Invalid("after is not a cursor this API returned.");
        }

        var rows = await database.QueryAsync<NotificationView>(
            $"{List} {database.Dialect.Limit("@Take")}",
            new
            {
                Status = status,
                Since = since ?? DateTimeOffset.UnixEpoch,
                Until = until ?? DateTimeOffset.MaxValue,
                AfterCreatedAt = afterCreatedAt,
                AfterId = afterId,
                Take = limit + 1,
            },
            ct);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? ListCursor.Of(rows[limit - 1].CreatedAt, rows[limit - 1].NotificationId) : null;
        return new NotificationPage(page, next);
    }

    public async Task<Result<NotificationView, SupportError>> GetAsync(string notificationId, CancellationToken ct)
    {
        var row = await database.QuerySingleOrDefaultAsync<NotificationView>(One, new { NotificationId = notificationId }, ct);
        if (row is null)
        {
            return NotFound(notificationId);
        }

        return row with { Attempts = await database.QueryAsync<AttemptView>(Attempts, new { NotificationId = notificationId }, ct) };
    }

    public Task<Result<ResendReport, SupportError>> ResendAsync(
        string notificationId, bool force, SupportActor actor, string? reason, CancellationToken ct) =>
        ResendAsync(notificationId, force, actor, reason, approved: false, ct);

    /// <param name="approved">A second person approved it (<see cref="ProposalSupport"/>): four eyes are satisfied.</param>
    internal async Task<Result<ResendReport, SupportError>> ResendAsync(
        string notificationId, bool force, SupportActor actor, string? reason, bool approved, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: force) is { } invalid)
        {
            return invalid;
        }

        if (force && !approved && fourEyes.Value.ForcedResend)
        {
            await audit.RecordAsync(new SupportAudit.Entry(actor, "resend (forced)", $"notification {notificationId}", reason, "refused: needs a second person"), ct);
            return SupportError.Conflict(
                "Sending a delivered notification again needs a second person here (Console:FourEyes:ForcedResend): propose it, and another Operator approves.");
        }

        var target = $"notification {notificationId}";
        var now = time.GetUtcNow();
        var outcome = await database.WriteAsync(
            async (tx, token) =>
            {
                var before = await tx.QuerySingleOrDefaultAsync<NotificationView>(One, new { NotificationId = notificationId }, token);
                if (before is null)
                {
                    return Write.RollBack<Result<string, SupportError>>(NotFound(notificationId));
                }

                if (await tx.ExecuteAsync(Rearm, new { NotificationId = notificationId, Now = now, Force = force ? 1 : 0 }, token) == 1)
                {
                    await audit.RecordAsync(tx, new SupportAudit.Entry(actor, force ? "resend (forced)" : "resend", target, reason, "re-armed", new { PreviousStatus = before.Status }), token);
                    return Write.Commit<Result<string, SupportError>>(before.Status);
                }

                var leased = before.LeaseOwner is not null && before.LeaseExpiresAt > now;
                await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "resend", target, reason, "refused: " + (leased ? "leased" : "delivered")), token);
                return Write.Commit<Result<string, SupportError>>(SupportError.Conflict(leased
                    ? $"Notification {notificationId} is being sent by {before.LeaseOwner} until {before.LeaseExpiresAt:O}; try again after that."
                    : $"Notification {notificationId} was delivered; send it again only with \"force\": true and a reason."));
            },
            ct);
        return outcome.Error is { } refused
            ? refused
            : new ResendReport((await GetAsync(notificationId, ct)).Value!, outcome.Value!);
    }

    public async Task<Result<RecoverReport, SupportError>> RecoverAsync(
        DateTimeOffset? since, DateTimeOffset? until, SupportActor actor, string? reason, CancellationToken ct)
    {
        if (since is null || until is null || since >= until)
        {
            return SupportError.Invalid("since and until are required, and since must come before until.");
        }

        if (Reasons.Check(reason, required: false) is { } invalid)
        {
            return invalid;
        }

        return await database.WriteAsync(
            async (tx, token) =>
            {
                var rearmed = await tx.ExecuteAsync(
                    RecoverDead,
                    new { Now = time.GetUtcNow(), Since = since.Value, Until = until.Value },
                    token);
                var report = new RecoverReport(rearmed, since.Value, until.Value);
                await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "recover", $"DEAD notifications created in [{since:O}, {until:O})", reason, $"re-armed {rearmed}", report), token);
                return Write.Commit(report);
            },
            ct);
    }

    private static SupportError NotFound(string notificationId) => SupportError.NotFound($"No notification '{notificationId}'.");
}
