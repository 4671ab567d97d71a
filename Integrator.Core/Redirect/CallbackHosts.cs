using System.Net;

namespace Integrator.Core.Redirect;

/// <summary>
/// Whether a <c>callbackUrl</c> may receive the customer's browser (no open redirect): an absolute HTTPS URL without
/// user info or fragment whose host is listed exactly or under a <c>*.</c> suffix; plain HTTP only to a loopback host.
/// </summary>
public static class CallbackHosts
{
    public static bool Allow(string callbackUrl, IReadOnlyList<string> allowed)
    {
        if (!Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0
            || callbackUrl.Contains('#', StringComparison.Ordinal))
        {
            return false;
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && loopback))
        {
            return false;
        }

        var host = uri.IdnHost;
        return allowed.Any(entry => entry.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase) && host.Length > entry.Length - 1
            : string.Equals(host, entry, StringComparison.OrdinalIgnoreCase));
    }
}
