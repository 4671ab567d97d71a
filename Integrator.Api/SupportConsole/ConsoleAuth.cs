using System.Security.Claims;
using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The console's own sign-in: a cookie scheme apart from the API-key scheme, so a console cookie never opens
/// <c>/support/v1</c> and a key header never opens <c>/console</c>. The cookie names a session held on the server
/// (<see cref="ConsoleSessionStore"/>) and its holder: a support key by its identifier, whose name and role are read
/// afresh on every request (sign-out, a removed key or a changed role take effect at once), or a person the identity
/// provider signed in (<see cref="ConsoleOidc"/>), whose role was fixed by their claims at sign-in. A session ends
/// after 30 idle minutes or 8 hours in all, whichever way it began.
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
    private const string ProviderHolderPrefix = "oidc:";

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
    public static async Task SignInAsync(HttpContext context, SupportKeyHolder holder, CancellationToken ct) =>
        await context.SignInAsync(Scheme, await StartSessionAsync(context, KeyHolderPrefix + holder.KeyId, holder.Name, holder.Role, fixedRole: false, ct));

    /// <summary>Starts a server-side session for a person the provider signed in (by its subject), with the role their claims gave.</summary>
    public static Task<ClaimsPrincipal> StartProviderSessionAsync(HttpContext context, string subject, string name, SupportRole role, CancellationToken ct) =>
        StartSessionAsync(context, ProviderHolderPrefix + subject, name, role, fixedRole: true, ct);

    /// <summary>Whether this person signed in through the identity provider (and so may be signed out there too).</summary>
    public static bool SignedInThroughProvider(ClaimsPrincipal user) =>
        user.FindFirstValue(HolderClaim)?.StartsWith(ProviderHolderPrefix, StringComparison.Ordinal) == true;

    /// <summary>Ends this browser's session on the server (a copy of the cookie dies with it) and drops the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context, CancellationToken ct)
    {
        if (context.User.FindFirstValue(SessionClaim) is { } session)
        {
            await context.RequestServices.GetRequiredService<ConsoleSessionStore>().EndAsync(session, "signed out", ct);
        }

        await context.SignOutAsync(Scheme);
    }

    /// <summary>Only a path inside the console: never another site, never a protocol-relative URL.</summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 2048 }
        && returnUrl.StartsWith("/console", StringComparison.Ordinal)
        && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.Contains('\\', StringComparison.Ordinal)
        && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/console";

    private static async Task<ClaimsPrincipal> StartSessionAsync(
        HttpContext context, string holder, string name, SupportRole role, bool fixedRole, CancellationToken ct)
    {
        var sessions = context.RequestServices.GetRequiredService<ConsoleSessionStore>();
        var session = await sessions.StartAsync(holder, name, fixedRole ? role.ToString() : null, ct);
        return Principal(session, holder, name, role);
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
    /// hold a role (for a key, its name and role are taken afresh from configuration).
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessions = services.GetRequiredService<ConsoleSessionStore>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var ct = context.HttpContext.RequestAborted;
        var id = context.Principal?.FindFirstValue(SessionClaim);
        var session = id is null ? null : await sessions.FindActiveAsync(id, ct);
        var holder = session is null ? null : Holder(services, session);
        var ended = session is null ? "no session"
            : now - session.CreatedAt > AbsoluteLimit ? "absolute limit"
            : now - session.LastSeenAt > IdleLimit ? "idle limit"
            : holder is null ? "sign-in no longer allowed"
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
        var (name, role) = holder!.Value;
        if (context.Principal!.Identity?.Name != name || !context.Principal.IsInRole(role.ToString()))
        {
            context.ReplacePrincipal(Principal(id!, session!.Holder, name, role));
            context.ShouldRenew = true;
        }
    }

    /// <summary>
    /// Who the session's holder is now: a key that is still configured (while key sign-in is on), or a provider's person
    /// with the role fixed at sign-in (while the provider is configured); null when neither holds any more.
    /// </summary>
    private static (string Name, SupportRole Role)? Holder(IServiceProvider services, ConsoleSession session)
    {
        var console = services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        if (session.Holder.StartsWith(KeyHolderPrefix, StringComparison.Ordinal))
        {
            return console.KeySignIn && services.GetRequiredService<SupportKeys>().FindById(session.Holder[KeyHolderPrefix.Length..]) is { } key
                ? (key.Name, key.Role)
                : null;
        }

        return session.Holder.StartsWith(ProviderHolderPrefix, StringComparison.Ordinal)
            && console.Oidc.IsConfigured
            && Enum.TryParse<SupportRole>(session.Role, out var role)
                ? (session.Name, role)
                : null;
    }
}
