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
    }
}
