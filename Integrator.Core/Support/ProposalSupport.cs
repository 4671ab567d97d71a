using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

/// <summary>The money decisions four eyes can guard, by their wire names.</summary>
public static class ProposalActions
{
    public const string AcceptDiscrepancy = "accept-discrepancy";
    public const string ForcedResend = "forced-resend";
    public const string Release = "release";
}

/// <summary>A proposal as support reads it: what it would do (with the amounts), who asked and why, who decided.</summary>
public sealed record ProposalView
{
    public required string ProposalId { get; init; }

    public required string Action { get; init; }

    /// <summary>The paymentIntegratorAccountId of the statement or reservation; null for a notification.</summary>
    public string? AccountId { get; init; }

    /// <summary>The statementId, reserveFundsRequestId or notification id.</summary>
    public required string ObjectId { get; init; }

    public required string Summary { get; init; }

    public required string Reason { get; init; }

    public required string ProposedBy { get; init; }

    public required DateTimeOffset ProposedAt { get; init; }

    public required string Status { get; init; }

    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? DecisionReason { get; init; }

    public string? Outcome { get; init; }
}

/// <summary>
/// Four eyes (<see cref="FourEyesOptions"/>): an Operator proposes a guarded money decision with a reason; a different
/// Operator approves it — and it is carried out, once, in their name — or rejects it. A proposer never approves their
/// own. One thing has at most one proposal waiting (the database's unique index). Every step is audited.
/// </summary>
public sealed class ProposalSupport(
    Database database,
    SupportAudit audit,
    StatementSupport statements,
    NotificationSupport notifications,
    ReservationSupport reservations,
    IOptions<FourEyesOptions> fourEyes,
    TimeProvider time)
{
    public const int MaxPending = 100;

    private const string Columns = """
        proposal_id, action, account_id, object_id, summary, reason, proposed_by, proposed_at, status, decided_by, decided_at,
        decision_reason, outcome
        """;

    private const string Insert = """
        INSERT INTO support_proposals (proposal_id, action, account_id, object_id, pending_key, summary, reason, proposed_by, proposed_at, status)
        VALUES (@ProposalId, @Action, @AccountId, @ObjectId, @PendingKey, @Summary, @Reason, @ProposedBy, @Now, 'PENDING')
        """;

    private const string One = $"SELECT {Columns} FROM support_proposals WHERE proposal_id = @ProposalId";

    private const string Pending = $"SELECT {Columns} FROM support_proposals WHERE status = 'PENDING' ORDER BY proposed_at, proposal_id";

    // The guard is the WHERE clause: a waiting proposal is decided once, and never by the person who made it.
    private const string Decide = """
        UPDATE support_proposals
        SET status = @Status, pending_key = NULL, decided_by = @DecidedBy, decided_at = @Now, decision_reason = @DecisionReason
        WHERE proposal_id = @ProposalId AND status = 'PENDING' AND proposed_by <> @DecidedBy
        """;

    private const string Finish = "UPDATE support_proposals SET status = @Status, outcome = @Outcome WHERE proposal_id = @ProposalId";

    public FourEyesOptions Rules => fourEyes.Value;

    /// <summary>Proposes an action on a thing (<paramref name="accountId"/> and <paramref name="objectId"/> as the action names it).</summary>
    public async Task<Result<ProposalView, SupportError>> ProposeAsync(
        string action, string? accountId, string objectId, SupportActor actor, string? reason, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: true) is { } invalid)
        {
            return invalid;
        }

        var summary = await SummaryAsync(action, accountId, objectId, ct);
        if (summary.Error is { } refused)
        {
            return refused;
        }

        var proposal = new ProposalView
        {
            ProposalId = Ids.New(),
            Action = action,
            AccountId = accountId,
            ObjectId = objectId,
            Summary = summary.Value!,
            Reason = reason!,
            ProposedBy = actor.Name,
            ProposedAt = time.GetUtcNow(),
            Status = "PENDING",
        };
        try
        {
            await database.WriteAsync(
                async (tx, token) =>
                {
                    await tx.ExecuteAsync(
                        Insert,
                        new
                        {
                            proposal.ProposalId, proposal.Action, proposal.AccountId, proposal.ObjectId, PendingKey = $"{action}:{accountId}/{objectId}",
                            proposal.Summary, proposal.Reason, proposal.ProposedBy, Now = proposal.ProposedAt,
                        },
                        token);
                    await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "propose " + action, Target(proposal), reason, "waiting for a second person", new { proposal.ProposalId, proposal.Summary }), token);
                },
                ct);
        }
        catch (Exception e) when (database.Classify(e) == StorageFault.DuplicateKey)
        {
            return SupportError.Conflict("A proposal for this is already waiting for a second person: approve or reject that one.");
        }

        return proposal;
    }

    public async Task<Result<ProposalView, SupportError>> GetAsync(string proposalId, CancellationToken ct) =>
        await database.QuerySingleOrDefaultAsync<ProposalView>(One, new { ProposalId = proposalId }, ct) is { } found
            ? found
            : SupportError.NotFound($"No proposal {proposalId}.");

    public async Task<IReadOnlyList<ProposalView>> PendingAsync(CancellationToken ct) =>
        await database.QueryAsync<ProposalView>($"{Pending} {database.Dialect.Limit("@Take")}", new { Take = MaxPending }, ct);

    /// <summary>A different Operator approves: the proposal is decided, then carried out in the approver's name.</summary>
    public async Task<Result<ProposalView, SupportError>> ApproveAsync(string proposalId, SupportActor actor, CancellationToken ct)
    {
        var decided = await DecideAsync(proposalId, "APPROVED", actor, null, ct);
        if (decided.Error is { } refused)
        {
            return refused;
        }

        var p = decided.Value!;
        var reason = $"{p.Reason} (proposed by {p.ProposedBy}, approved by {actor.Name})";
        SupportError? failed = p.Action switch
        {
            ProposalActions.AcceptDiscrepancy => (await statements.AcceptAsync(p.AccountId!, p.ObjectId, actor, reason, approved: true, ct)).Error,
            ProposalActions.ForcedResend => (await notifications.ResendAsync(p.ObjectId, force: true, actor, reason, approved: true, ct)).Error,
            _ => (await reservations.ReleaseAsync(p.AccountId!, p.ObjectId, actor, reason, approved: true, ct)).Error,
        };
        var (status, outcome) = failed is null ? ("APPROVED", "carried out") : ("FAILED", "approved, but could not be carried out: " + failed.Detail);
        await database.ExecuteAsync(Finish, new { ProposalId = proposalId, Status = status, Outcome = outcome }, ct);
        await audit.RecordAsync(new SupportAudit.Entry(actor, "approve " + p.Action, Target(p), p.Reason, outcome, new { p.ProposalId, p.ProposedBy }), ct);
        return p with { Status = status, Outcome = outcome };
    }

    /// <summary>An Operator rejects (the proposer may withdraw their own); nothing is carried out.</summary>
    public async Task<Result<ProposalView, SupportError>> RejectAsync(string proposalId, SupportActor actor, string? reason, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: true) is { } invalid)
        {
            return invalid;
        }

        var decided = await DecideAsync(proposalId, "REJECTED", actor, reason, ct);
        if (decided.Value is { } p)
        {
            await audit.RecordAsync(new SupportAudit.Entry(actor, "reject " + p.Action, Target(p), reason, "rejected", new { p.ProposalId, p.ProposedBy }), ct);
        }

        return decided;
    }

    private async Task<Result<ProposalView, SupportError>> DecideAsync(string proposalId, string status, SupportActor actor, string? reason, CancellationToken ct)
    {
        if ((await GetAsync(proposalId, ct)).Value is not { } proposal)
        {
            return SupportError.NotFound($"No proposal {proposalId}.");
        }

        if (proposal.Status != "PENDING")
        {
            return SupportError.Conflict($"This proposal was {proposal.Status.ToLowerInvariant()} by {proposal.DecidedBy} already.");
        }

        // A proposer may withdraw (reject) their own proposal, never approve it.
        var decider = status == "REJECTED" && proposal.ProposedBy == actor.Name ? actor.Name + " (withdrawn)" : actor.Name;
        if (status == "APPROVED" && proposal.ProposedBy == actor.Name)
        {
            await audit.RecordAsync(new SupportAudit.Entry(actor, "approve " + proposal.Action, Target(proposal), null, "refused: own proposal", new { proposal.ProposalId }), ct);
            return SupportError.Conflict("You proposed this: a different Operator must approve it.");
        }

        var now = time.GetUtcNow();
        var changed = await database.ExecuteAsync(Decide, new { ProposalId = proposalId, Status = status, DecidedBy = decider, Now = now, DecisionReason = reason }, ct);
        return changed == 1
            ? proposal with { Status = status, DecidedBy = decider, DecidedAt = now, DecisionReason = reason }
            : SupportError.Conflict("Someone else decided this proposal a moment ago.");
    }

    private async Task<Result<string, SupportError>> SummaryAsync(string action, string? accountId, string objectId, CancellationToken ct)
    {
        switch (action)
        {
            case ProposalActions.AcceptDiscrepancy:
                var totals = await statements.TotalsAsync(accountId ?? string.Empty, objectId, ct);
                if (totals.Error is { } missing)
                {
                    return missing;
                }

                var t = totals.Value!;
                return t.Status != "DISCREPANCY" || t.AcceptanceRequested
                    ? SupportError.Conflict($"Statement {objectId} is {t.Status}{(t.AcceptanceRequested ? ", its acceptance requested already" : string.Empty)}: there is no discrepancy to accept.")
                    : $"Accept statement {objectId}: Google's total {t.Google.Value} {t.Google.CurrencyCode}, ours {t.Ours.Value} {t.Ours.CurrencyCode}, difference {t.Difference.Value} {t.Difference.CurrencyCode}.";
            case ProposalActions.ForcedResend:
                var notification = await notifications.GetAsync(objectId, ct);
                return notification.Error is { } gone ? gone : $"Send notification {objectId} to Google again (it is {notification.Value!.Status}).";
            case ProposalActions.Release:
                var reservation = await reservations.FindAsync(accountId ?? string.Empty, objectId, ct);
                if (reservation.Error is { } none)
                {
                    return none;
                }

                var r = reservation.Value!;
                return r.State != "RESERVED"
                    ? SupportError.Conflict($"The reservation is {r.State}: there is no hold to release.")
                    : $"Release the hold of {r.Amount.Value} {r.Amount.CurrencyCode} on account {r.AccountId} (reservation {objectId}).";
            default:
                return SupportError.Invalid($"'{action}' is not an action four eyes guard.");
        }
    }

    private static string Target(ProposalView p) => p.Action switch
    {
        ProposalActions.AcceptDiscrepancy => $"statement {p.AccountId}/{p.ObjectId}",
        ProposalActions.ForcedResend => $"notification {p.ObjectId}",
        _ => $"reservation {p.AccountId}/{p.ObjectId}",
    };
}
