using System.Net;
using System.Net.Sockets;
using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Reliability;

/// <summary>Overload stays graceful: a bounded number of Google calls at once, bounded bodies, clear refusals.</summary>
public sealed class OverloadTests
{
    [Test]
    public async Task BeyondTheConcurrencyLimitAGoogleCallIsAnswered503AtOnce()
    {
        var folder = Directory.CreateTempSubdirectory("overload-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
            {
                ["Gsp__MaxConcurrentCalls"] = "1",
                ["Gsp__MaxConcurrentWait"] = "00:00:00",
            }));
            var echo = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToJsonString());

            // One call holds the only slot: its headers are in, its body is not.
            using var holder = new TcpClient();
            await holder.ConnectAsync(IPAddress.Loopback, server.Port);
            var stream = holder.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /redirect-payment-token-v1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {echo.Length}\r\n\r\n"));
            await stream.WriteAsync(echo.AsMemory(0, 1));
            await Task.Delay(500);

            var refused = await server.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

            refused.AssertStatus(503);
            Assert.That(refused.Json["paymentIntegratorErrorIdentifier"], Is.Not.Null, "a GSP ErrorResponse, not an empty 503");
            await stream.WriteAsync(echo.AsMemory(1));
            var answer = new byte[4096];
            var read = await stream.ReadAsync(answer);
            Assert.That(Encoding.ASCII.GetString(answer, 0, read), Does.StartWith("HTTP/1.1 200"), "the call in progress is served");
            (await server.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))).AssertStatus(200);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task AFloodOfUnauthenticatedCallsIsCountedNotJournaledOneByOne()
    {
        await using var app = IntegratorApp.Start();
        var journaled = await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal");

        await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/redirect-payment-token-v1/echo") { Content = new StringContent("{}") };
            request.Headers.Add("X-API-Key", "anything-at-all");
            Assert.That((int)(await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(401));
        }));

        await Eventually.TrueAsync(
            async () => await app.ScalarAsync<long>("SELECT COALESCE(SUM(refusal_count), 0) FROM request_refusals") == 300, "all 300 counted");
        Assert.Multiple(async () =>
        {
            Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_refusals"), Is.LessThanOrEqualTo(2), "a row per minute and kind");
            Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal"), Is.EqualTo(journaled), "no row per call");
        });
    }

    [Test]
    public async Task KestrelRefusesABodyOverAMegabyteOnEveryRoute()
    {
        var folder = Directory.CreateTempSubdirectory("overload-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>()));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/support/v1/notifications/recover")
            {
                Content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024])),
            };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-API-Key", "dev-support-key-not-for-production");

            var response = await http.SendAsync(request);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
