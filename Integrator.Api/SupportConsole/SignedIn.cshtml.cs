using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Where the identity provider's round trip ends: a page of our own that moves on to the console. The browser arrives
/// here at the end of a redirect chain that began on the provider's site, and a SameSite=Strict cookie is not sent on
/// such a chain; the next request, made by this page, is same-site and carries the session cookie.
/// </summary>
public sealed class SignedInModel : PageModel
{
    public string ReturnUrl { get; private set; } = "/console";

    public static string PathFor(string returnUrl) => $"/console/signed-in?returnUrl={Uri.EscapeDataString(returnUrl)}";

    public void OnGet(string? returnUrl) => ReturnUrl = ConsoleAuth.SafeReturn(returnUrl);
}
