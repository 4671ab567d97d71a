using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>Believes <c>X-Forwarded-For</c>/<c>-Proto</c> only from <see cref="ProxyOptions"/>' proxies.</summary>
internal static class ForwardedClients
{
    public static IServiceCollection AddForwardedClients(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; here only what is configured is trusted.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(address));
            }

            foreach (var network in proxy.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>
    /// Only with proxies configured: ASP.NET Core's middleware with no known proxy at all would believe the headers from
    /// anyone.
    /// </summary>
    public static IApplicationBuilder UseForwardedClients(this IApplicationBuilder app)
    {
        var proxy = app.ApplicationServices.GetRequiredService<IOptions<ProxyOptions>>().Value;
        return proxy.KnownProxies.Count + proxy.KnownNetworks.Count == 0 ? app : app.UseForwardedHeaders();
    }
}
