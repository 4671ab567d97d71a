using Integrator.Core.Backend;
using Integrator.Core.Notifications;
using Integrator.Core.Remittance;

namespace Integrator.Core.Support;

/// <summary>What is failing now: notifications waiting or given up, statements not reconciled or in dispute.</summary>
public sealed record OverviewView(
    long PendingNotifications,
    DateTimeOffset? OldestPendingNotification,
    long DeadNotifications,
    long StatementsToReconcile,
    long StatementsInDiscrepancy,
    DateTimeOffset? OldestUnacceptedStatement,
    IReadOnlyList<AuditEntry> RecentActions)
{
    /// <summary>Back-end commands still without a definite answer after <c>Backend:StuckAfter</c>, oldest first.</summary>
    public IReadOnlyList<CommandView> StuckCommands { get; init; } = [];

    /// <summary>Releases the back end refused because the hold had been captured outside Integrator.</summary>
    public long RefusedCommands { get; init; }
}

/// <summary>The console's first page, from the same counts the metrics report.</summary>
public sealed class OverviewSupport(
    NotificationStore notifications, StatementStore statements, CommandSupport commands, CommandStore commandStore, SupportAudit audit, TimeProvider time)
{
    public async Task<OverviewView> GetAsync(CancellationToken ct)
    {
        var outbox = await notifications.StatsAsync(ct);
        var remittance = await statements.StatsAsync(ct);
        var now = time.GetUtcNow();
        // Actions, not the reads that are audited beside them.
        var recent = (await audit.ListAsync(now.AddDays(-7), now.AddMinutes(1), actor: null, limit: 100, ct))
            .Where(a => !a.Action.StartsWith("read ", StringComparison.Ordinal)).Take(10).ToList();
        return new OverviewView(
            outbox.Pending,
            outbox.OldestPendingCreatedAt,
            outbox.Dead,
            remittance.Received,
            remittance.Discrepancy,
            remittance.OldestUnreconciledReceivedAt,
            recent)
        {
            StuckCommands = await commands.StuckAsync(ct),
            RefusedCommands = (await commandStore.StatsAsync(ct)).Refused,
        };
    }
}
