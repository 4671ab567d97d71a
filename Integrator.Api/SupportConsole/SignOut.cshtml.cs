using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

[Authorize(Policy = ConsoleAuth.Policy)]
public sealed class SignOutModel(SupportAudit audit) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/SupportConsole/Index");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await audit.RecordAsync(new SupportAudit.Entry(ConsoleAuth.Actor(User), "console sign-out", "console", null, "signed out"), ct);
        await ConsoleAuth.SignOutAsync(HttpContext, ct);
        return Page();
    }
}
