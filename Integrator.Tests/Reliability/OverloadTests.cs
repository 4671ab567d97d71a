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
        await using var app = IntegratorApp.Start(new Dictionary<string, string?>
        {
            ["Gsp:MaxConcurrentCalls"] = "1",
            ["Gsp:MaxConcurrentWait"] = "00:00:00",
            ["Storage:LockTimeout"] = "00:00:20",
        });

        // One call holds the only slot: it waits in the database, whose write lock another writer holds.
        Task<GspResult> holder;
        await using (var writeLock = await SqliteWriteLock.TakeAsync(app))
        {
            holder = app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), app.Clock.NowMillis, 1_000_000, "tok-rich"));
            await writeLock.WaitForGoogleCallsAsync(1);

            var refused = await app.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), app.Clock.NowMillis));

            refused.AssertStatus(503);
            Assert.That(refused.Json["paymentIntegratorErrorIdentifier"], Is.Not.Null, "a GSP ErrorResponse, not an empty 503");
        }

        (await holder).AssertStatus(200);
        (await app.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), app.Clock.NowMillis))).AssertStatus(200);
    }

    /// <summary>
    /// S3-H1: connections trickling 64 KiB bodies from one address never take the processing slots, are capped per
    /// address, and are cut within Gsp:BodyReadTimeout; genuine calls from another address are served throughout.
    /// </summary>
    [Test]
    public async Task TricklingBodiesCannotStarveGenuineGoogleCalls()
    {
        var folder = Directory.CreateTempSubdirectory("overload-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
            {
                ["Gsp__MaxConcurrentCalls"] = "8",
                ["Gsp__MaxConcurrentCallsPerAddress"] = "16",
                ["Gsp__BodyReadTimeout"] = "00:00:03",
            }));
            var attacker = IPAddress.Parse("127.0.0.2");
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var tricklers = Enumerable.Range(0, 60).Select(_ => TrickleAsync(attacker, server.Port, stop.Token)).ToList();

            var genuine = new List<int>();
            var started = DateTime.UtcNow;
            while (DateTime.UtcNow - started < TimeSpan.FromSeconds(6))
            {
                var answer = await server.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                genuine.Add(answer.Status);
                await Task.Delay(200);
            }

            var ends = await Task.WhenAll(tricklers);
            TestContext.Out.WriteLine(string.Join(", ", ends.GroupBy(e => e.Status).Select(g => $"{g.Count()} × {g.Key} (at most {g.Max(e => e.Elapsed).TotalSeconds:0.0} s)")));
            Assert.Multiple(() =>
            {
                Assert.That(genuine, Has.Count.GreaterThan(10).And.All.EqualTo(200), "every genuine call is served");
                Assert.That(ends.Select(e => e.Status), Has.None.EqualTo(200), "no trickled call is processed");
                Assert.That(ends.Count(e => e.Status == 503), Is.GreaterThanOrEqualTo(60 - 16), "beyond 16 open from one address: 503 at once");
                Assert.That(ends.Where(e => e.Status != 503).Select(e => e.Status), Has.All.EqualTo(408).Or.EqualTo(0), "the rest are cut (408 or closed)");
                Assert.That(ends.Max(e => e.Elapsed), Is.LessThan(TimeSpan.FromSeconds(15)), "cut in seconds, not minutes");
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Announces a 64 KiB echo body and sends it a byte every 300 ms from <paramref name="from"/>; returns the HTTP status
    /// answered (0 when the connection closed without one) and how long it took.
    /// </summary>
    private static async Task<(int Status, TimeSpan Elapsed)> TrickleAsync(IPAddress from, int port, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        using var client = new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(IPAddress.Loopback, port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /redirect-payment-token-v1/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n"), ct);
        var answer = new byte[1024];
        var reading = stream.ReadAsync(answer, ct).AsTask();
        try
        {
            while (!reading.IsCompleted && !ct.IsCancellationRequested)
            {
                await stream.WriteAsync("{"u8.ToArray(), ct);
                await Task.WhenAny(reading, Task.Delay(300, ct));
            }

            var read = await reading;
            var text = Encoding.ASCII.GetString(answer, 0, read);
            return (text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(text[9..12], System.Globalization.CultureInfo.InvariantCulture) : 0, DateTime.UtcNow - started);
        }
        catch (IOException)
        {
            return (0, DateTime.UtcNow - started); // closed by the server
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
