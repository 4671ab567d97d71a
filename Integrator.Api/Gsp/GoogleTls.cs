using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Integrator.Api.Gsp;

/// <summary>
/// TLS as Google's Standard Payments clients expect it (docs/gsp-rules.md §6), for every HTTPS endpoint Kestrel serves:
/// TLS 1.2, and only the cipher suites Google lists (a server must support one and should support nothing else; its
/// echo probes check that weaker suites are refused). Applies when Integrator terminates TLS itself; a proxy in front
/// must be configured the same way (SECURITY.md).
/// </summary>
internal static class GoogleTls
{
    // Built once, not per handshake. .NET can restrict cipher suites only where OpenSSL does TLS; on Windows,
    // Schannel's system policy decides.
    private static readonly CipherSuitesPolicy? GoogleSuites = OperatingSystem.IsLinux()
        ? new CipherSuitesPolicy(
            [
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
            ])
        : null;

    public static void Apply(HttpsConnectionAdapterOptions https)
    {
        https.SslProtocols = SslProtocols.Tls12;
        https.OnAuthenticate = (_, ssl) =>
        {
            if (OperatingSystem.IsLinux())
            {
                ssl.CipherSuitesPolicy = GoogleSuites;
            }
        };
    }
}
