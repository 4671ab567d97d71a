using System.Net;
using System.Net.Sockets;

namespace Integrator.Api.Hosting;

/// <summary>Where Kestrel will listen, read from configuration (<c>urls</c>, <c>Kestrel:Endpoints:*:Url</c>).</summary>
internal static class ListenAddresses
{
    /// <summary>Used when nothing is configured (the port README's examples use).</summary>
    public const string Default = "http://localhost:5080";

    public static IReadOnlyList<string> From(IConfiguration configuration) =>
        (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();

    /// <summary>
    /// The listen addresses whose port another program holds, checked by binding each for a moment: a start that could
    /// not listen is refused before the database is touched, the seed applied or a job started.
    /// </summary>
    public static IEnumerable<string> Taken(IConfiguration configuration)
    {
        foreach (var url in From(configuration))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed
                : IPAddress.Any;
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            string? taken = null;
            try
            {
                // As Kestrel binds: without address reuse, which would let the probe share a port another program listens on.
                probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
                probe.Bind(new IPEndPoint(address, uri.Port));
                probe.Listen();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                taken = $"Cannot listen on {url}: port {uri.Port} is {(e.SocketErrorCode == SocketError.AccessDenied ? "not allowed for this user" : "already in use (another server running?)")}.";
            }

            if (taken is not null)
            {
                yield return taken;
            }
        }
    }

    /// <summary>localhost, 127.0.0.0/8 or [::1]; a wildcard (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>) is not.</summary>
    public static bool IsLoopback(string url)
    {
        var host = url.Split("://", 2) is [_, var rest] ? rest : url;
        host = host.Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
