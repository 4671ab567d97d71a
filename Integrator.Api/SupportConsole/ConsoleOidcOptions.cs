using System.ComponentModel.DataAnnotations;
using Integrator.Core.Security;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Staff sign in to the console through the organisation's OpenID Connect provider (<c>Console:Oidc</c>); a claim
/// maps each person to a role, and nobody without one gets in.
/// </summary>
public sealed class ConsoleOidcOptions : OpenIdConnectClientOptions
{
    public ConsoleOidcOptions() => CallbackPath = "/console/signin-oidc";

    /// <summary>Where the provider sends the browser back after signing out there (RP-initiated logout): register it too.</summary>
    public string SignedOutCallbackPath { get; set; } = "/console/signout-callback-oidc";

    /// <summary>The claim whose values say the person's role, e.g. <c>groups</c> or <c>roles</c> (one value or an array).</summary>
    [Required]
    public string RoleClaim { get; set; } = "groups";

    /// <summary>Values of <see cref="RoleClaim"/> that make a person an Operator (exact match).</summary>
    public List<string> OperatorValues { get; set; } = [];

    /// <summary>Values of <see cref="RoleClaim"/> that make a person a Viewer (exact match); Operator wins when both match.</summary>
    public List<string> ViewerValues { get; set; } = [];
}
