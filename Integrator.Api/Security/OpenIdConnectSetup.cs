using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Integrator.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Integrator.Api.Security;

/// <summary>
/// How Integrator signs people in through an OpenID Connect provider, for the console's staff and the redirect page's
/// customers alike: authorization code with PKCE, the code in the query of a top-level GET (so the correlation and
/// nonce cookies can be SameSite=Lax and no cross-site POST is needed), state and nonce checked by the handler, the ID
/// token's issuer, audience, lifetime and signature checked against the keys of the discovery document, claims kept
/// under their own names, and the userinfo endpoint asked for what the ID token leaves out.
/// </summary>
public static class OpenIdConnectSetup
{
    /// <summary>Long enough for a slow provider, short enough that a hung one does not hold a browser for a minute.</summary>
    private static readonly TimeSpan BackchannelTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] AlwaysScopes = ["openid", "profile"];

    public static void Apply(OpenIdConnectOptions oidc, OpenIdConnectClientOptions settings)
    {
        oidc.Authority = settings.Authority;
        oidc.RequireHttpsMetadata = Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) && !authority.IsLoopback;
        oidc.ClientId = settings.ClientId;
        oidc.ClientSecret = settings.ClientSecret;
        oidc.CallbackPath = settings.CallbackPath;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.UsePkce = true;
        oidc.Scope.Clear();
        foreach (var scope in AlwaysScopes.Concat(settings.Scopes).Distinct(StringComparer.Ordinal))
        {
            oidc.Scope.Add(scope);
        }

        oidc.MapInboundClaims = false;
        oidc.GetClaimsFromUserInfoEndpoint = true;
        oidc.ClaimActions.MapUniqueJsonKey(settings.NameClaim, settings.NameClaim);
        oidc.TokenValidationParameters.NameClaimType = settings.NameClaim;
        oidc.BackchannelTimeout = BackchannelTimeout;
        oidc.DisableTelemetry = true;
        oidc.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
        foreach (var cookie in new[] { oidc.CorrelationCookie, oidc.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        }

        if (settings.TokenEndpointAuthMethod == OpenIdConnectClientOptions.ClientSecretBasic)
        {
            oidc.Events.OnAuthorizationCodeReceived = RedeemWithBasicAuthenticationAsync;
        }
    }

    /// <summary>
    /// The handler sends the client secret in the token request's body (client_secret_post); a client registered with
    /// OpenID Connect's default, client_secret_basic, sends it in an Authorization header instead (RFC 6749 §2.3.1:
    /// id and secret form-encoded, then base64). The handler still checks the ID token that comes back.
    /// </summary>
    private static async Task RedeemWithBasicAuthenticationAsync(AuthorizationCodeReceivedContext context)
    {
        var request = context.TokenEndpointRequest!;
        var credentials = $"{WebUtility.UrlEncode(request.ClientId)}:{WebUtility.UrlEncode(request.ClientSecret)}";
        request.ClientSecret = null;
        var endpoint = request.TokenEndpoint
            ?? (await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted)).TokenEndpoint;
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(request.Parameters),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await context.Backchannel.SendAsync(message, context.HttpContext.RequestAborted);
        var answer = new OpenIdConnectMessage(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
        if (!response.IsSuccessStatusCode || answer.Error is not null)
        {
            context.Fail($"Message contains error: '{answer.Error ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}', error_description: '{answer.ErrorDescription}'.");
            return;
        }

        context.HandleCodeRedemption(answer);
    }
}
