using Integrator.Api.Security;
using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Staff sign in to the console through the organisation's OpenID Connect provider (<c>Console:Oidc</c>, README
/// "Sign-in with your identity provider"): the provider's answer is checked by the handler (<see cref="OpenIdConnectSetup"/>), then the person's claims
/// map to a role — none, and they are refused with a page that says so — and a console session starts on the server
/// exactly as for a key (<see cref="ConsoleAuth"/>), named by the person's name claim. Sign-out ends the session here
/// and at the provider. Every failure of the round trip (a tampered state, a replayed code, a token for another
/// client) lands on the sign-in page with nothing signed in, and is audited.
/// </summary>
public static partial class ConsoleOidc
{
    public const string Scheme = "ConsoleOidc";
    public const string NoRolePath = "/console/no-role";
    public const string SignedOutPath = "/console/signed-out";
    public const string FailedPath = ConsoleAuth.SignInPath + "?failed=provider";

    /// <summary>Registers the scheme when <c>Console:Oidc:Authority</c> is set (read raw: schemes are built before options are validated).</summary>
    public static AuthenticationBuilder AddConsoleOidc(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        if (configuration[$"{ConsoleOptions.Section}:{nameof(ConsoleOptions.Oidc)}:{nameof(ConsoleOidcOptions.Authority)}"] is not { Length: > 0 })
        {
            return authentication;
        }

        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<ConsoleOptions>>((oidc, console) =>
        {
            var settings = console.Value.Oidc;
            OpenIdConnectSetup.Apply(oidc, settings);
            oidc.SignInScheme = ConsoleAuth.Scheme;
            oidc.SignedOutCallbackPath = settings.SignedOutCallbackPath;
            oidc.SignedOutRedirectUri = SignedOutPath;
            oidc.ClaimActions.MapJsonKey(settings.RoleClaim, settings.RoleClaim);
            // Kept for the RP-initiated logout's id_token_hint; OnTicketReceived drops every other token.
            oidc.SaveTokens = true;
            oidc.Events.OnTicketReceived = TicketReceivedAsync;
            oidc.Events.OnRemoteFailure = RemoteFailureAsync;
            oidc.Events.OnRedirectToIdentityProvider = AskForTheRoleScopeAsync;
            oidc.Events.OnRedirectToIdentityProviderForSignOut = context =>
            {
                context.ProtocolMessage.ClientId = context.Options.ClientId;
                return Task.CompletedTask;
            };
        });
        return authentication.AddOpenIdConnect(Scheme, _ => { });
    }

    /// <summary>Sends the browser to the provider; after sign-in it comes back to <paramref name="returnUrl"/> (inside the console).</summary>
    public static ChallengeResult Challenge(string? returnUrl) =>
        new(Scheme, new AuthenticationProperties { RedirectUri = SignedInModel.PathFor(ConsoleAuth.SafeReturn(returnUrl)) });

    /// <summary>Ends the person's session at the provider too; the browser comes back to <see cref="SignedOutPath"/>.</summary>
    public static Task SignOutAsync(HttpContext context) =>
        context.SignOutAsync(Scheme, new AuthenticationProperties { RedirectUri = SignedOutPath });

    /// <summary>The person's role from their claims: Operator if any value is an Operator value, else Viewer if any is a Viewer value.</summary>
    public static SupportRole? RoleOf(IEnumerable<string> values, ConsoleOidcOptions settings)
    {
        var held = values.ToHashSet(StringComparer.Ordinal);
        return settings.OperatorValues.Any(held.Contains) ? SupportRole.Operator
            : settings.ViewerValues.Any(held.Contains) ? SupportRole.Viewer
            : null;
    }

    /// <summary>
    /// Providers often release a role claim only for a scope of its name (<c>groups</c>, <c>roles</c>): when the
    /// discovery document offers one named like <c>RoleClaim</c>, it is asked for too, without configuring it.
    /// </summary>
    private static async Task AskForTheRoleScopeAsync(RedirectContext context)
    {
        var roleClaim = context.HttpContext.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.Oidc.RoleClaim;
        var discovery = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var scopes = context.ProtocolMessage.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (discovery.ScopesSupported.Contains(roleClaim) && !scopes.Contains(roleClaim))
        {
            context.ProtocolMessage.Scope = string.Join(' ', [.. scopes, roleClaim]);
        }
    }

    private static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var settings = services.GetRequiredService<IOptions<ConsoleOptions>>().Value.Oidc;
        var audit = services.GetRequiredService<SupportAudit>();
        var ct = context.HttpContext.RequestAborted;
        var claims = context.Principal!;
        var subject = claims.FindFirst("sub")?.Value;
        var name = claims.FindFirst(settings.NameClaim)?.Value is { Length: > 0 } named ? named : subject;
        var role = RoleOf(claims.FindAll(settings.RoleClaim).Select(c => c.Value), settings);
        if (subject is null || name is null || role is null)
        {
            await audit.RecordAsync(new SupportAudit.Entry(new SupportActor(name ?? "?", SupportActor.Console), "console sign-in", "console", null, $"refused: no role in claim {settings.RoleClaim}"), ct);
            LogNoRole(Logger(services), settings.RoleClaim);
            context.HandleResponse();
            context.Response.Redirect(NoRolePath);
            return;
        }

        var properties = context.Properties!;
        var idToken = properties.GetTokenValue(OpenIdConnectParameterNames.IdToken);
        properties.StoreTokens(idToken is null ? [] : [new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        context.Principal = await ConsoleAuth.StartProviderSessionAsync(context.HttpContext, subject, name, role.Value, ct);
        await audit.RecordAsync(new SupportAudit.Entry(new SupportActor(name, SupportActor.Console), "console sign-in", "console", null, $"signed in through the identity provider as {role}"), ct);
    }

    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        var services = context.HttpContext.RequestServices;
        var reason = context.Failure?.Message is { } message ? message[..Math.Min(message.Length, 300)] : "unknown";
        LogFailed(Logger(services), reason);
        await services.GetRequiredService<SupportAudit>().RecordAsync(
            new SupportAudit.Entry(new SupportActor("?", SupportActor.Console), "console sign-in", "console", null, $"refused: identity provider round trip failed ({reason})", new { Remote = context.HttpContext.Connection.RemoteIpAddress?.ToString() }),
            context.HttpContext.RequestAborted);
        context.HandleResponse();
        context.Response.Redirect(FailedPath);
    }

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleOidc).FullName!);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Console sign-in through the identity provider refused: the person has no role in claim {RoleClaim}")]
    private static partial void LogNoRole(ILogger logger, string roleClaim);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Console sign-in through the identity provider failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
