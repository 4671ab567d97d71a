using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>Sign-in with one's own support key; failures are audited and throttled per address (<see cref="FailedKeyThrottle"/>).</summary>
public sealed class SignInModel(SupportKeys keys, FailedKeyThrottle throttle, SupportAudit audit) : PageModel
{
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string ReturnUrl { get; private set; } = "/console";

    public void OnGet(string? returnUrl) => ReturnUrl = SafeReturn(returnUrl);

    /// <summary>The key is bound as a property, not a handler argument: MVC writes handler arguments to the trace log.</summary>
    [BindProperty]
    public string? Key { get; set; }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        var key = Key;
        Key = null;
        ReturnUrl = SafeReturn(returnUrl);
        // A right key signs in whatever others sent from this address; wrong ones spend the address's budget.
        var holder = string.IsNullOrEmpty(key) ? null : keys.Find(key);
        if (holder is null)
        {
            if (throttle.TryTake(HttpContext.Connection.RemoteIpAddress) is { } wait)
            {
                Errors = [$"Too many failed sign-ins from here. Try again in {Math.Ceiling(wait.TotalSeconds)} seconds."];
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            }

            await audit.RecordAsync(new SupportAudit.Entry(new SupportActor("?", SupportActor.Console), "console sign-in", "console", null, "refused: unknown key", new { Remote = HttpContext.Connection.RemoteIpAddress?.ToString() }), ct);
            Errors = ["That key is not a support key. Check it and try again."];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await ConsoleAuth.SignInAsync(HttpContext, holder, ct);
        await audit.RecordAsync(new SupportAudit.Entry(new SupportActor(holder.Name, SupportActor.Console), "console sign-in", "console", null, "signed in"), ct);
        return LocalRedirect(ReturnUrl);
    }

    /// <summary>Only a path inside the console: never another site, never a protocol-relative URL.</summary>
    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 2048 }
        && returnUrl.StartsWith("/console", StringComparison.Ordinal)
        && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.Contains('\\', StringComparison.Ordinal)
        && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/console";
}
