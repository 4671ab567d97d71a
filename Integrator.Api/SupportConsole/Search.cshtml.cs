using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Find anything by an id it carries, or the redirect that bound a payment token; both posted, so that neither lands in
/// a URL (a redirectRequestId may be a payment token).
/// </summary>
public sealed class SearchModel(SearchSupport search, RedirectSupport redirects) : PageModel
{
    public IReadOnlyList<RedirectView>? Redirects { get; private set; }

    public string? Query { get; private set; }

    public IReadOnlyList<SearchHit>? Hits { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task OnPostFindAsync([FromForm] SearchForm form, CancellationToken ct)
    {
        var q = form.Q;
        Query = q;
        var found = await search.FindAsync(q, ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Hits = found.Value;
    }

    public async Task OnPostFindByTokenAsync([FromForm] SearchForm form, CancellationToken ct)
    {
        var found = await redirects.FindByTokenAsync(form.Token, ConsoleAuth.Actor(User), ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Redirects = found.Value;
    }
}
