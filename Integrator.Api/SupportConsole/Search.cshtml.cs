using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>Find anything by an id it carries (GET), or the redirect that bound a payment token (POST: no token in URLs).</summary>
public sealed class SearchModel(SearchSupport search, RedirectSupport redirects) : PageModel
{
    public IReadOnlyList<RedirectView>? Redirects { get; private set; }

    public string? Query { get; private set; }

    public IReadOnlyList<SearchHit>? Hits { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string? q, CancellationToken ct)
    {
        Query = q;
        if (q is null)
        {
            return;
        }

        var found = await search.FindAsync(q, ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Hits = found.Value;
    }

    public async Task OnPostFindByTokenAsync(string? token, CancellationToken ct)
    {
        var found = await redirects.FindByTokenAsync(token, ConsoleAuth.Actor(User), ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Redirects = found.Value;
    }
}
