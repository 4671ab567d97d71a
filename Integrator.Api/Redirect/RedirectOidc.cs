using Integrator.Api.Security;
using Integrator.Core.Redirect;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Redirect;

/// <summary>
/// Customers sign in on the redirect page through the bank's OpenID Connect provider (<c>Redirect:Oidc</c>, README
/// "Sign-in with your identity provider"). The round trip is bound to one redirect and one browser: the redirectRequestId and the browser's random name
/// travel inside the protected state, and the handler's correlation cookie proves the answer comes back to the browser
/// that left. The provider's customer goes through the sign-in seam (<see cref="ProviderCustomerSignIn"/>), and the
/// browser's redirect cookie then names that redirect and that customer, as after a passcode.
/// </summary>
public static partial class RedirectOidc
{
    public const string Scheme = "RedirectOidc";

    private const string RedirectItem = "redirect-request-id";
    private const string BrowserItem = "browser";
    private const int MaxCustomerIdLength = 100;

    /// <summary>Registers the scheme when <c>Redirect:Oidc:Authority</c> is set (read raw: schemes are built before options are validated).</summary>
    public static AuthenticationBuilder AddRedirectOidc(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        if (configuration[$"{RedirectOptions.Section}:{nameof(RedirectOptions.Oidc)}:{nameof(CustomerOidcOptions.Authority)}"] is not { Length: > 0 })
        {
            return authentication;
        }

        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<RedirectOptions>>((oidc, redirect) =>
        {
            OpenIdConnectSetup.Apply(oidc, redirect.Value.Oidc);
            oidc.SignInScheme = RedirectBrowser.Scheme;
            oidc.Events.OnTicketReceived = TicketReceivedAsync;
            oidc.Events.OnRemoteFailure = RemoteFailureAsync;
        });
        return authentication.AddOpenIdConnect(Scheme, _ => { });
    }

    /// <summary>Sends this browser, in this redirect, to the provider.</summary>
    public static ChallengeResult Challenge(string redirectRequestId, string browser, string path) =>
        new(Scheme, new AuthenticationProperties(new Dictionary<string, string?> { [RedirectItem] = redirectRequestId, [BrowserItem] = browser })
        {
            RedirectUri = ContinuePath(path, failed: false),
        });

    /// <summary>
    /// Where the round trip ends: a page of ours that moves on to the redirect page (the SameSite=Strict redirect cookie
    /// is not sent at the end of a redirect chain that began on the provider's site).
    /// </summary>
    public static string ContinuePath(string path, bool failed) => $"{path}?handler=continue{(failed ? "&failed=provider" : string.Empty)}";

    private static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var redirect = services.GetRequiredService<IOptions<RedirectOptions>>().Value;
        var items = context.Properties!.Items;
        var customerId = context.Principal!.FindFirst(redirect.Oidc.CustomerIdClaim)?.Value;
        var name = context.Principal.FindFirst(redirect.Oidc.NameClaim)?.Value is { Length: > 0 } named ? named : customerId;
        if (items.TryGetValue(RedirectItem, out var redirectRequestId) && redirectRequestId is not null
            && items.TryGetValue(BrowserItem, out var browser) && browser is not null
            && customerId is { Length: > 0 and <= MaxCustomerIdLength })
        {
            var step = await services.GetRequiredService<RedirectFlow>().SignInAsync(redirectRequestId, new ProviderIdentity(customerId, name!), context.HttpContext.RequestAborted);
            if (step.Value?.Customer is { } customer)
            {
                context.Principal = RedirectBrowser.Principal(redirectRequestId, customer, browser);
                return;
            }

            // The redirect is unknown or has ended meanwhile: the page says what stands, with nobody signed in.
            context.HandleResponse();
            context.Response.Redirect(ContinuePath(redirect.Path, failed: step.Error is not null || step.Value?.Session.IsFinished == false));
            return;
        }

        LogNoCustomer(Logger(services), redirect.Oidc.CustomerIdClaim);
        context.HandleResponse();
        context.Response.Redirect(ContinuePath(redirect.Path, failed: true));
    }

    private static Task RemoteFailureAsync(RemoteFailureContext context)
    {
        var services = context.HttpContext.RequestServices;
        var reason = context.Failure?.Message is { } message ? message[..Math.Min(message.Length, 300)] : "unknown";
        LogFailed(Logger(services), reason);
        context.HandleResponse();
        context.Response.Redirect(ContinuePath(services.GetRequiredService<IOptions<RedirectOptions>>().Value.Path, failed: true));
        return Task.CompletedTask;
    }

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RedirectOidc).FullName!);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Customer sign-in through the bank's identity provider refused: no usable {CustomerIdClaim} claim")]
    private static partial void LogNoCustomer(ILogger logger, string customerIdClaim);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Customer sign-in through the bank's identity provider failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
