using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>One notification with every attempt, and Resend (a forced one proposed instead where four eyes guard it).</summary>
[OperatorPosts]
public sealed class NotificationModel(NotificationSupport notifications, ProposalSupport proposals) : PageModel
{
    public string NotificationId { get; private set; } = string.Empty;

    public NotificationView? Notification { get; private set; }

    public ResendReport? Resent { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string notificationId, CancellationToken ct) => await LoadAsync(notificationId, ct);

    public async Task<IActionResult> OnPostAsync(string notificationId, bool force, string? reason, CancellationToken ct)
    {
        if (force && proposals.Rules.ForcedResend)
        {
            var proposed = await proposals.ProposeAsync(ProposalActions.ForcedResend, null, notificationId, ConsoleAuth.Actor(User), reason, ct);
            if (proposed.Value is { } proposal)
            {
                return Redirect($"/console/proposals/{proposal.ProposalId}");
            }

            Errors = [proposed.Error!.Detail];
            Response.StatusCode = SupportProblems.StatusOf(proposed.Error.Kind);
            await LoadAsync(notificationId, ct);
            return Page();
        }

        var resent = await notifications.ResendAsync(notificationId, force, ConsoleAuth.Actor(User), reason, ct);
        if (resent.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = SupportProblems.StatusOf(error.Kind);
        }

        Resent = resent.Value;
        await LoadAsync(notificationId, ct);
        return Page();
    }

    private async Task LoadAsync(string notificationId, CancellationToken ct)
    {
        NotificationId = notificationId;
        var found = await notifications.GetAsync(notificationId, ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        Notification = found.Value;
    }
}
