using System.Security.Claims;
using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authentication;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The console's own sign-in: a cookie scheme apart from the API-key scheme, so a console cookie never opens
/// <c>/support/v1</c> and a key header never opens <c>/console</c>. A session ends after 30 idle minutes or 8 hours in all.
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string OperatorPolicy = "ConsoleOperator";
    public const string SignInPath = "/console/sign-in";

    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLimit = TimeSpan.FromHours(8);

    private const string SignedInAt = "signed-in-at";

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
            cookie.Events.OnValidatePrincipal = context =>
            {
                var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
                if (!long.TryParse(context.Principal?.FindFirstValue(SignedInAt), out var at)
                    || time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(at) > AbsoluteLimit)
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });

    /// <summary>Who acts in the console: the signed-in key's name, on the console channel.</summary>
    public static SupportActor Actor(ClaimsPrincipal user) => new(user.Identity?.Name ?? "?", SupportActor.Console);

    public static ClaimsPrincipal Principal(SupportKeyHolder holder, DateTimeOffset now) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, holder.Name),
            new Claim(ClaimTypes.Role, holder.Role.ToString()),
            new Claim(SignedInAt, now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ],
        Scheme));
}
