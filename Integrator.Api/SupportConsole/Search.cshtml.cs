using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class SearchModel(SearchSupport search) : PageModel
{
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
}
