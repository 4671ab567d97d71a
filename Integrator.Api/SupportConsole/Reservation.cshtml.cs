using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class ReservationModel(ReservationSupport reservations) : PageModel
{
    public ReservationView? Reservation { get; private set; }

    public string? Missing { get; private set; }

    public async Task OnGetAsync(string piaid, string reserveFundsRequestId, CancellationToken ct)
    {
        var found = await reservations.GetAsync(piaid, reserveFundsRequestId, ConsoleAuth.Actor(User), ct);
        (Reservation, Missing) = (found.Value, found.Error?.Detail);
        if (found.Error is not null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
