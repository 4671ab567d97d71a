using System.Security.Claims;
using Integrator.Core.Redirect;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Redirect;

/// <summary>
/// The browser's place in one redirect: a cookie of its own scheme (never the console's) naming the redirectRequestId
/// it arrived with and, once signed in, the customer. It lives for <c>Redirect:BrowserSessionLifetime</c>, only on
/// <c>Redirect:Path</c>, and ends when the browser is handed back to Google.
/// </summary>
public static class RedirectBrowser
{
    public const string Scheme = "Redirect";

    private const string RedirectRequestId = "redirect-request-id";
    private const string CustomerId = "customer-id";
    private const string CustomerName = "customer-name";
    private const string BrowserClaim = "browser";

    public static AuthenticationBuilder AddRedirectCookie(this AuthenticationBuilder authentication)
    {
        authentication.Services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<RedirectOptions>>((cookie, redirect) =>
        {
            cookie.Cookie.Name = "integrator-redirect";
            cookie.Cookie.Path = redirect.Value.Path;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = redirect.Value.BrowserSessionLifetime;
            cookie.SlidingExpiration = false;
        });
        return authentication.AddCookie(Scheme);
    }

    /// <summary>The browser's place: this redirect, the signed-in customer (if any), and the browser's own random name.</summary>
    public static Task EnterAsync(HttpContext context, string redirectRequestId, Customer? customer, string browser) =>
        context.SignInAsync(Scheme, Principal(redirectRequestId, customer, browser));

    /// <summary>What the cookie holds (also what the identity provider's round trip signs in, <see cref="RedirectOidc"/>).</summary>
    public static ClaimsPrincipal Principal(string redirectRequestId, Customer? customer, string browser)
    {
        var claims = new List<Claim> { new(RedirectRequestId, redirectRequestId), new(BrowserClaim, browser) };
        if (customer is not null)
        {
            claims.Add(new Claim(CustomerId, customer.CustomerId));
            claims.Add(new Claim(CustomerName, customer.Name));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    public static Task LeaveAsync(HttpContext context) => context.SignOutAsync(Scheme);

    /// <summary>
    /// The redirect this browser is in, its signed-in customer, if any, and the browser's random name (a new one for a
    /// browser that has none yet).
    /// </summary>
    public static async Task<(string? RedirectRequestId, Customer? Customer, string Browser)> ReadAsync(HttpContext context)
    {
        var principal = (await context.AuthenticateAsync(Scheme)).Principal;
        var redirectRequestId = principal?.FindFirstValue(RedirectRequestId);
        var customer = principal?.FindFirstValue(CustomerId) is { } id ? new Customer(id, principal.FindFirstValue(CustomerName) ?? id) : null;
        var browser = principal?.FindFirstValue(BrowserClaim) ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        return (redirectRequestId, customer, browser);
    }
}
