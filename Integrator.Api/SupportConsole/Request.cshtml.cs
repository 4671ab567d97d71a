using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>A Google request's journal entries, and Replay (what Google's retry would get).</summary>
[OperatorPosts]
public sealed class RequestModel(RequestSupport requests) : PageModel
{
    public string RequestId { get; private set; } = string.Empty;

    public IReadOnlyList<JournalView>? Entries { get; private set; }

    public ReplayReport? Replay { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string piaid, string requestId, CancellationToken ct) => await LoadAsync(piaid, requestId, ct);

    public async Task<IActionResult> OnPostAsync(string piaid, string requestId, string? reason, CancellationToken ct)
    {
        await LoadAsync(piaid, requestId, ct);
        var replay = await requests.ReplayAsync(piaid, requestId, ConsoleAuth.Actor(User), reason, ct);
        if (replay.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status409Conflict;
        }

        Replay = replay.Value;
        return Page();
    }

    private async Task LoadAsync(string piaid, string requestId, CancellationToken ct)
    {
        RequestId = requestId;
        var found = await requests.GetAsync(piaid, requestId, ConsoleAuth.Actor(User), ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        Entries = found.Value;
    }
}
