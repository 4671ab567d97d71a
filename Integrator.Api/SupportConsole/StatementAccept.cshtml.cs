using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The confirmation page of accepting a statement: it states what the bank agrees to pay (Google's total, ours, the
/// difference) and asks for a reason. Where four eyes guard a discrepancy, it proposes instead, for another Operator.
/// </summary>
[Authorize(Policy = ConsoleAuth.OperatorPolicy)]
public sealed class StatementAcceptModel(StatementSupport statements, ProposalSupport proposals) : PageModel
{
    public string Piaid { get; private set; } = string.Empty;

    public string StatementId { get; private set; } = string.Empty;

    public StatementTotals? Totals { get; private set; }

    public string? Reason { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Whether accepting this statement needs a second person.</summary>
    public bool Proposes => Totals is { Status: "DISCREPANCY" } && proposals.Rules.AcceptDiscrepancy;

    public async Task<IActionResult> OnGetAsync(string piaid, string statementId, CancellationToken ct) =>
        await LoadAsync(piaid, statementId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string piaid, string statementId, string? reason, CancellationToken ct)
    {
        Reason = reason;
        if (!await LoadAsync(piaid, statementId, ct))
        {
            return NotFound();
        }

        var actor = ConsoleAuth.Actor(User);
        if (Proposes)
        {
            var proposed = await proposals.ProposeAsync(ProposalActions.AcceptDiscrepancy, piaid, statementId, actor, reason, ct);
            return proposed.Value is { } proposal ? Redirect($"/console/proposals/{proposal.ProposalId}") : Refused(proposed.Error!);
        }

        var accepted = await statements.AcceptAsync(piaid, statementId, actor, reason, ct);
        return accepted.Error is { } error
            ? Refused(error)
            : Redirect($"/console/statements/{Uri.EscapeDataString(piaid)}/{Uri.EscapeDataString(statementId)}?done=accepted");
    }

    private async Task<bool> LoadAsync(string piaid, string statementId, CancellationToken ct)
    {
        (Piaid, StatementId) = (piaid, statementId);
        Totals = (await statements.TotalsAsync(piaid, statementId, ct)).Value;
        return Totals is not null;
    }

    private PageResult Refused(SupportError error)
    {
        Errors = [error.Detail];
        Response.StatusCode = SupportProblems.StatusOf(error.Kind);
        return Page();
    }
}
