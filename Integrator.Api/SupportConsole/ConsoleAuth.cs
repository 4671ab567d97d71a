using System.Security.Claims;
using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The console's own sign-in: a cookie scheme apart from the API-key scheme, so a console cookie never opens
/// <c>/support/v1</c> and a key header never opens <c>/console</c>. The cookie names a session held on the server
/// (<see cref="ConsoleSessionStore"/>) and its holder by key identifier; every request re-checks both, so sign-out, a
/// removed key or a changed role takes effect at once. A session ends after 30 idle minutes or 8 hours in all.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string OperatorPolicy = "ConsoleOperator";
    public const string SignInPath = "/console/sign-in";

    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLimit = TimeSpan.FromHours(8);

    private const string SessionClaim = "session";
    private const string HolderClaim = "holder";
    private const string KeyHolderPrefix = "key:";

    public static AuthenticationBuilder AddConsoleCookie(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "integrator-console";
            cookie.Cookie.Path = "/console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = SignInPath;
            cookie.AccessDeniedPath = "/console/denied";
            cookie.ExpireTimeSpan = IdleLimit;
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = ValidateAsync;
        });

    /// <summary>Who acts in the console: the signed-in person's name, on the console channel.</summary>
    public static SupportActor Actor(ClaimsPrincipal user) => new(user.Identity?.Name ?? "?", SupportActor.Console);

    /// <summary>Starts a server-side session for a key's holder and signs the browser in to it.</summary>
    public static async Task SignInAsync(HttpContext context, SupportKeyHolder holder, CancellationToken ct)
    {
        var sessions = context.RequestServices.GetRequiredService<ConsoleSessionStore>();
        var session = await sessions.StartAsync(KeyHolderPrefix + holder.KeyId, holder.Name, ct);
        await context.SignInAsync(Scheme, Principal(session, KeyHolderPrefix + holder.KeyId, holder.Name, holder.Role));
    }

    /// <summary>Ends this browser's session on the server (a copy of the cookie dies with it) and drops the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context, CancellationToken ct)
    {
        if (context.User.FindFirstValue(SessionClaim) is { } session)
        {
            await context.RequestServices.GetRequiredService<ConsoleSessionStore>().EndAsync(session, "signed out", ct);
        }

        await context.SignOutAsync(Scheme);
    }

    private static ClaimsPrincipal Principal(string session, string holder, string name, SupportRole role) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, name),
            new Claim(ClaimTypes.Role, role.ToString()),
            new Claim(SessionClaim, session),
            new Claim(HolderClaim, holder),
        ],
        Scheme));

    /// <summary>
    /// Every request: the session must still be open on the server and within its limits, and its holder must still
    /// hold a role; the role and name are taken afresh from configuration.
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessions = services.GetRequiredService<ConsoleSessionStore>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var ct = context.HttpContext.RequestAborted;
        var id = context.Principal?.FindFirstValue(SessionClaim);
        var session = id is null ? null : await sessions.FindActiveAsync(id, ct);
        var holder = session?.Holder is { } h && h.StartsWith(KeyHolderPrefix, StringComparison.Ordinal)
            ? services.GetRequiredService<SupportKeys>().FindById(h[KeyHolderPrefix.Length..])
            : null;
        var ended = session is null ? "no session"
            : now - session.CreatedAt > AbsoluteLimit ? "absolute limit"
            : now - session.LastSeenAt > IdleLimit ? "idle limit"
            : holder is null ? "key removed"
            : null;
        if (ended is not null)
        {
            if (session is not null)
            {
                await sessions.EndAsync(id!, ended, ct);
            }

            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }

        await sessions.SeenAsync(id!, session!, ct);
        if (context.Principal!.Identity?.Name != holder!.Name || !context.Principal.IsInRole(holder.Role.ToString()))
        {
            context.ReplacePrincipal(Principal(id!, session!.Holder, holder.Name, holder.Role));
            context.ShouldRenew = true;
        }
    }
}
