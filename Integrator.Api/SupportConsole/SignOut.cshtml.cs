using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Sign-out (the header's button): ends the session on the server and drops the cookie; a person who came through
/// the identity provider is sent there to end that session too (RP-initiated logout), and comes back to
/// <see cref="ConsoleOidc.SignedOutPath"/>.
/// </summary>
[Authorize(Policy = ConsoleAuth.Policy)]
public sealed class SignOutModel(SupportAudit audit, IOptions<ConsoleOptions> options) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/SupportConsole/Index");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await audit.RecordAsync(new SupportAudit.Entry(ConsoleAuth.Actor(User), "console sign-out", "console", null, "signed out"), ct);
        var atProvider = options.Value.Oidc.IsConfigured && ConsoleAuth.SignedInThroughProvider(User);
        if (atProvider)
        {
            // First, while the cookie still holds the ID token by which the provider's logout knows the person.
            await ConsoleOidc.SignOutAsync(HttpContext);
        }

        await ConsoleAuth.SignOutAsync(HttpContext, ct);
        return atProvider ? new EmptyResult() : LocalRedirect(ConsoleOidc.SignedOutPath);
    }
}
