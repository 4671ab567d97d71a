using System.Net;

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
