using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>The outbox by status, and Recover (a preview of the count first, then the re-arm).</summary>
[OperatorPosts]
public sealed class NotificationsModel(NotificationSupport notifications) : PageModel
{
    public string? Status { get; private set; }

    public NotificationPage? Rows { get; private set; }

    public string? Since { get; private set; }

    public string? Until { get; private set; }

    public string? Reason { get; private set; }

    public RecoverReport? Preview { get; private set; }

    public RecoverReport? Recovered { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string? status, string? after, CancellationToken ct) => await ListAsync(status, after, ct);

    public async Task<IActionResult> OnPostAsync(string? since, string? until, string? reason, bool confirmed, CancellationToken ct)
    {
        (Since, Until, Reason) = (since, until, reason);
        var window = (From: Parse(since), To: Parse(until));
        var result = confirmed
            ? await notifications.RecoverAsync(window.From, window.To, ConsoleAuth.Actor(User), reason, ct)
            : await notifications.PreviewRecoverAsync(window.From, window.To, ct);
        if (result.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else if (confirmed)
        {
            Recovered = result.Value;
        }
        else
        {
            Preview = result.Value;
        }

        await ListAsync("DEAD", null, ct);
        return Page();
    }

    private async Task ListAsync(string? status, string? after, CancellationToken ct)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        var page = await notifications.ListAsync(Status, null, null, 100, after, ct);
        if (page.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Rows = page.Value;
    }

    private static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
