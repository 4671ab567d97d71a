using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Security;

/// <summary>
/// Integrator as a relying party of an organisation's OpenID Connect provider (README "Sign-in with your identity
/// provider"): authorization code with PKCE, the provider's endpoints and keys from its discovery document. Unset
/// <see cref="Authority"/>: not used.
/// </summary>
public class OpenIdConnectClientOptions
{
    /// <summary>The issuer, e.g. <c>https://login.bank.example/realms/staff</c>; HTTPS except on a loopback host.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>
    /// How the client secret reaches the token endpoint, as the client is registered at the provider:
    /// <c>client_secret_basic</c> (an Authorization header; OpenID Connect's default) or <c>client_secret_post</c>.
    /// </summary>
    public string TokenEndpointAuthMethod { get; set; } = ClientSecretBasic;

    public const string ClientSecretBasic = "client_secret_basic";

    /// <summary>Where the provider sends the browser back with the code: register it with the provider.</summary>
    public string CallbackPath { get; set; } = "/signin-oidc";

    /// <summary>Scopes asked for besides <c>openid</c> and <c>profile</c> (e.g. <c>groups</c>, where roles come from one).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The claim with the person's name as shown (the audit's actor, the page's greeting); <c>sub</c> when absent.</summary>
    [Required]
    public string NameClaim { get; set; } = "name";

    public bool IsConfigured => !string.IsNullOrEmpty(Authority);

    /// <summary>The issuer's origin (scheme, host, port): where the browser is sent to sign in and out.</summary>
    public string? AuthorityOrigin => Uri.TryCreate(Authority, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;

    /// <summary>What is wrong with these settings under <paramref name="path"/> (e.g. <c>Console:Oidc</c>), when configured.</summary>
    public IEnumerable<ValidationResult> Problems(string path)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority)
            || !(authority.Scheme == Uri.UriSchemeHttps || (authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback))
            || !string.IsNullOrEmpty(authority.Query) || !string.IsNullOrEmpty(authority.Fragment) || !string.IsNullOrEmpty(authority.UserInfo))
        {
            yield return new ValidationResult($"{path}:Authority must be the provider's issuer URL, HTTPS (HTTP only on a loopback host), without query or fragment.", [nameof(Authority)]);
        }

        if (string.IsNullOrEmpty(ClientId) || string.IsNullOrEmpty(ClientSecret))
        {
            yield return new ValidationResult($"{path}:ClientId and {path}:ClientSecret must be set: the client registered with the provider.", [nameof(ClientId)]);
        }

        if (TokenEndpointAuthMethod is not (ClientSecretBasic or "client_secret_post"))
        {
            yield return new ValidationResult($"{path}:TokenEndpointAuthMethod must be client_secret_basic or client_secret_post.", [nameof(TokenEndpointAuthMethod)]);
        }

        if (!CallbackPath.StartsWith('/') || CallbackPath.Contains('?', StringComparison.Ordinal) || CallbackPath.Contains('#', StringComparison.Ordinal))
        {
            yield return new ValidationResult($"{path}:CallbackPath must be a path that starts with '/'.", [nameof(CallbackPath)]);
        }
    }
}
