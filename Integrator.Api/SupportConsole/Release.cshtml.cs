using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>The confirmation page of a release: it states the consequence and asks for a reason.</summary>
[Authorize(Policy = ConsoleAuth.OperatorPolicy)]
public sealed class ReleaseModel(ReservationSupport reservations, ProposalSupport proposals) : PageModel
{
    public string Piaid { get; private set; } = string.Empty;

    public string ReserveFundsRequestId { get; private set; } = string.Empty;

    public string? Reason { get; private set; }

    public ReservationView? Reservation { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Whether releasing this hold needs a second person (<c>Console:FourEyes:ReleaseAbove</c>).</summary>
    public bool Proposes => Reservation is { } r && long.TryParse(r.Amount.Micros, out var micros) && proposals.Rules.ReleaseNeedsSecondPerson(micros);

    public async Task<IActionResult> OnGetAsync(string piaid, string reserveFundsRequestId, CancellationToken ct)
    {
        (Piaid, ReserveFundsRequestId) = (piaid, reserveFundsRequestId);
        var found = await reservations.GetAsync(piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), ct);
        if (found.Error is not null)
        {
            return NotFound();
        }

        Reservation = found.Value;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string piaid, string reserveFundsRequestId, string? reason, CancellationToken ct)
    {
        (Piaid, ReserveFundsRequestId, Reason) = (piaid, reserveFundsRequestId, reason);
        Reservation = (await reservations.FindAsync(piaid, reserveFundsRequestId, ct)).Value;
        if (Proposes)
        {
            var proposed = await proposals.ProposeAsync(ProposalActions.Release, piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), reason, ct);
            if (proposed.Value is { } proposal)
            {
                return Redirect($"/console/proposals/{proposal.ProposalId}");
            }

            Errors = [proposed.Error!.Detail];
            Response.StatusCode = SupportProblems.StatusOf(proposed.Error.Kind);
            return Page();
        }

        var released = await reservations.ReleaseAsync(piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), reason, ct);
        if (released.Error is { } error)
        {
            Errors = [error.Detail];
            Reservation = (await reservations.GetAsync(piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), ct)).Value;
            Response.StatusCode = SupportProblems.StatusOf(error.Kind);
            return Page();
        }

        return Redirect($"/console/reservations/{Uri.EscapeDataString(piaid)}/{Uri.EscapeDataString(reserveFundsRequestId)}?done=released");
    }
}
