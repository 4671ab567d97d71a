using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The audit trail, newest first, narrowed by person, action, channel, object and UTC dates (the last 30 days by
/// default); page reads are left out unless asked for, so that the actions stand out.
/// </summary>
public sealed class AuditModel(SupportAudit audit, TimeProvider time) : PageModel
{
    public const int MaxRows = 500;

    [BindProperty(SupportsGet = true)]
    public string? Person { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Channel { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? Until { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Reads { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now.AddDays(-30);
        var until = Until is { } to ? new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now.AddMinutes(1);
        if (!ModelState.IsValid || since >= until || Channel is not (null or "" or "api" or "console"))
        {
            Errors = ["Check the filters: dates as calendar days, the start before the end, the channel api or console."];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Entries = await audit.ListAsync(
            new SupportAudit.AuditFilter { Since = since, Until = until, Actor = Person, Action = Action, Channel = Channel, Target = Target, IncludeReads = Reads },
            MaxRows,
            ct);
    }
}
