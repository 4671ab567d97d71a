using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// A server process serving HTTPS itself (Kestrel endpoint from configuration) offers TLS 1.2 with Google's cipher
/// suites only, checked with OpenSSL's s_client as an independent peer, and answers GSP calls over it.
/// </summary>
[NonParallelizable]
public sealed class TlsTests
{
    private string _folder = null!;
    private ServerProcess _server = null!;
    private int _tlsPort;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("tls-").FullName;
        var certificate = Path.Combine(_folder, "server.pfx");
        await File.WriteAllBytesAsync(certificate, SelfSignedCertificate());
        var port = FakeGoogle.FreePort();
        _tlsPort = FakeGoogle.FreePort();
        _server = await ServerProcess.StartAsync(
            ServerProcess.Environment(_folder, new Dictionary<string, string?>
            {
                ["Notifications__Enabled"] = "false",
                ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{port}",
                ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{_tlsPort}",
                ["Kestrel__Endpoints__Https__Certificate__Path"] = certificate,
                ["Kestrel__Endpoints__Https__Certificate__Password"] = "test-certificate",
            }),
            port);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [TestCase("ECDHE-RSA-AES128-GCM-SHA256")]
    [TestCase("ECDHE-RSA-CHACHA20-POLY1305")]
    [TestCase("ECDHE-RSA-AES128-SHA256")]
    public async Task GooglesCipherSuitesAreNegotiated(string suite)
    {
        var (exit, output) = await OpenSslAsync("-tls1_2", "-cipher", suite);
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain($"Cipher is {suite}"));
    }

    [TestCase("-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384", TestName = "a TLS 1.2 suite Google does not list")]
    [TestCase("-tls1_2", "-cipher", "AES128-GCM-SHA256", TestName = "no forward secrecy")]
    [TestCase("-tls1_3", TestName = "TLS 1.3")]
    public async Task EverythingElseIsRefused(params string[] options)
    {
        var (exit, output) = await OpenSslAsync(options);
        Assert.That(exit, Is.Not.Zero, output);
        Assert.That(output, Does.Not.Contain("Cipher is ECDHE"));
    }

    [Test]
    public async Task GspCallsAreAnsweredOverIt()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Subject == "CN=127.0.0.1" };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_tlsPort}") };
        var echo = GspMessages.Echo(GspMessages.NewId("tls"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "over TLS");
        using var content = new StringContent(echo.ToJsonString(), Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/redirect-payment-token-v1/echo", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("over TLS"));
    }

    private async Task<(int Exit, string Output)> OpenSslAsync(params string[] options)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{_tlsPort}" }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static byte[] SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate.Export(X509ContentType.Pfx, "test-certificate");
    }
}
