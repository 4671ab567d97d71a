using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>One redirect (account linking): where it stands, who linked which account, and its notification.</summary>
public sealed class RedirectSessionModel(RedirectSupport redirects) : PageModel
{

    public RedirectView? View { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string reference, CancellationToken ct)
    {
        var found = await redirects.GetAsync(reference, ConsoleAuth.Actor(User), ct);
        View = found.Value;
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
