using System.ComponentModel.DataAnnotations;
using Integrator.Core.Security;

namespace Integrator.Core.Redirect;

/// <summary>Customers sign in on the redirect page through the bank's OpenID Connect provider (<c>Redirect:Oidc</c>).</summary>
public sealed class CustomerOidcOptions : OpenIdConnectClientOptions
{
    public CustomerOidcOptions() => CallbackPath = "/redirect-payment-token-v1/signin-oidc";

    /// <summary>The claim that carries the customer id the ledger or back end knows the customer by.</summary>
    [Required]
    public string CustomerIdClaim { get; set; } = "sub";

    /// <summary>What the page's button names the provider: "Sign in with …".</summary>
    [Required]
    public string DisplayName { get; set; } = "your bank";
}
