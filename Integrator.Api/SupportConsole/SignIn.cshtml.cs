using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Sign-in with one's own support key (failures audited and throttled per address, <see cref="FailedKeyThrottle"/>)
/// unless <c>Console:KeySignIn</c> is false, and through the identity provider when <c>Console:Oidc</c> is set
/// (<see cref="ConsoleOidc"/>).
/// </summary>
public sealed class SignInModel(SupportKeys keys, FailedKeyThrottle throttle, SupportAudit audit, IOptions<ConsoleOptions> options) : PageModel
{
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string ReturnUrl { get; private set; } = "/console";

    public bool KeySignIn => options.Value.KeySignIn;

    public bool ProviderSignIn => options.Value.Oidc.IsConfigured;

    public void OnGet(string? returnUrl, string? failed)
    {
        ReturnUrl = ConsoleAuth.SafeReturn(returnUrl);
        if (failed is not null)
        {
            Errors = ["Signing in through your identity provider did not complete, so nothing was signed in. Try again; if it keeps failing, tell your identity team."];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
    }

    public IActionResult OnPostProvider(string? returnUrl) => ProviderSignIn ? ConsoleOidc.Challenge(returnUrl) : NotFound();

    /// <summary>The key is bound as a property, not a handler argument: MVC writes handler arguments to the trace log.</summary>
    [BindProperty]
    public string? Key { get; set; }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        var key = Key;
        Key = null;
        ReturnUrl = ConsoleAuth.SafeReturn(returnUrl);
        if (!KeySignIn)
        {
            Errors = ["Signing in with a support key is switched off here: sign in through your identity provider."];
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

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
}
