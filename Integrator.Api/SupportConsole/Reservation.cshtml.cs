using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>A reservation's page; an Operator may retry one of its back-end commands from it (with a reason).</summary>
[OperatorPosts]
public sealed class ReservationModel(ReservationSupport reservations, CommandSupport commands) : PageModel
{
    public ReservationView? Reservation { get; private set; }

    public string? Missing { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string piaid, string reserveFundsRequestId, CancellationToken ct)
    {
        var found = await reservations.GetAsync(piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), ct);
        (Reservation, Missing) = (found.Value, found.Error?.Detail);
        if (found.Error is not null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public async Task<IActionResult> OnPostRetryAsync(string piaid, string reserveFundsRequestId, string commandId, string? reason, CancellationToken ct)
    {
        var retried = await commands.RetryAsync(commandId, ConsoleAuth.Actor(User), reason, ct);
        if (retried.Error is { } error)
        {
            Errors = [error.Detail];
            await OnGetAsync(piaid, reserveFundsRequestId, ct);
            Response.StatusCode = SupportProblems.StatusOf(error.Kind);
            return Page();
        }

        return Redirect($"/console/reservations/{Uri.EscapeDataString(piaid)}/{Uri.EscapeDataString(reserveFundsRequestId)}?done=retried");
    }
}
