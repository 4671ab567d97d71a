using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>A four-eyes proposal: what it would do and why; another Operator approves or rejects it (the proposer may withdraw).</summary>
[OperatorPosts]
public sealed class ProposalModel(ProposalSupport proposals) : PageModel
{
    public ProposalView? Proposal { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string proposalId, CancellationToken ct)
    {
        Proposal = (await proposals.GetAsync(proposalId, ct)).Value;
        return Proposal is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(string proposalId, CancellationToken ct) =>
        await AnswerAsync(proposalId, await proposals.ApproveAsync(proposalId, ConsoleAuth.Actor(User), ct), ct);

    public async Task<IActionResult> OnPostRejectAsync(string proposalId, string? reason, CancellationToken ct) =>
        await AnswerAsync(proposalId, await proposals.RejectAsync(proposalId, ConsoleAuth.Actor(User), reason, ct), ct);

    /// <summary>What a proposal's thing is called in the console: its page.</summary>
    public static string ObjectLink(ProposalView p) => p.Action switch
    {
        ProposalActions.AcceptDiscrepancy => $"/console/statements/{Uri.EscapeDataString(p.AccountId ?? string.Empty)}/{Uri.EscapeDataString(p.ObjectId)}",
        ProposalActions.ForcedResend => $"/console/notifications/{Uri.EscapeDataString(p.ObjectId)}",
        _ => $"/console/reservations/{Uri.EscapeDataString(p.AccountId ?? string.Empty)}/{Uri.EscapeDataString(p.ObjectId)}",
    };

    private async Task<IActionResult> AnswerAsync(string proposalId, Core.Result<ProposalView, SupportError> decided, CancellationToken ct)
    {
        if (decided.Error is { } error)
        {
            Errors = [error.Detail];
            Proposal = (await proposals.GetAsync(proposalId, ct)).Value;
            Response.StatusCode = SupportProblems.StatusOf(error.Kind);
            return Page();
        }

        return Redirect($"/console/proposals/{Uri.EscapeDataString(proposalId)}");
    }
}
