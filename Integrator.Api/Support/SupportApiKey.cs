using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Support;

/// <summary>
/// Authenticates the support API by the <c>X-API-Key</c> header against <c>Support:ApiKeys</c> (<see cref="SupportKeys"/>).
/// The principal's name is the key's name, its role the key's role.
/// </summary>
public sealed partial class SupportApiKey(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    SupportKeys keys,
    FailedKeyThrottle throttle,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "SupportApiKey";
    public const string Policy = "Support";

    /// <summary>The actions: only keys with the Operator role.</summary>
    public const string OperatorPolicy = "SupportOperator";
    public const string Header = "X-API-Key";

    private const string ThrottledItem = "support-key-throttled";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // The key is checked first (it is cheap and constant-time): a right key is never refused for what others sent
        // from its address. Wrong keys spend the address's budget; past it, they are answered 429.
        if (keys.Find(values[0]!) is not { } found)
        {
            if (throttle.TryTake(Context.Connection.RemoteIpAddress) is { } wait)
            {
                Context.Items[ThrottledItem] = wait;
                return Task.FromResult(AuthenticateResult.Fail("Too many failed API keys."));
            }

            LogRefused(Logger, Request.Path, Context.Connection.RemoteIpAddress?.ToString() ?? "-");
            return Task.FromResult(AuthenticateResult.Fail("Invalid API key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, found.Name), new Claim(ClaimTypes.Role, found.Role.ToString())], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledItem] is TimeSpan wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many failed API keys", Detail = "Try again after Retry-After seconds." },
            });
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = $"The support API needs a valid {Header} header.",
            },
        });
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "Support API call to {Path} from {Remote} refused: unknown API key")]
    private static partial void LogRefused(ILogger logger, string path, string remote);
}
