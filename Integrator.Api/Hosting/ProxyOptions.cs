using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Integrator.Api.Hosting;

/// <summary>
/// The reverse proxies in front of Integrator (SECURITY.md "Behind a reverse proxy"). Only a request that arrives from
/// one of them has its <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> believed, so the client address that the
/// throttles and the per-address call limit count is the client's, not the proxy's. Empty: no header is believed.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Proxy";

    /// <summary>Addresses of the proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of the proxies in CIDR form, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"Proxy:KnownProxies entry '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"Proxy:KnownNetworks entry '{network}' is not a network in CIDR form (10.0.0.0/24).", [nameof(KnownNetworks)]);
        }
    }
}
