using System.Net;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.SupportConsole;

/// <summary>
/// Real server processes on 127.0.0.1: <c>Support:Urls</c> puts the support surfaces on an address of their own that
/// Google's routes never answer on (and the other way round); instances sharing <c>Support:DataProtectionKeysFolder</c>
/// honour each other's console sessions.
/// </summary>
[NonParallelizable]
public sealed partial class SupportEndpointTests
{
    private const string Key = "dev-support-key-not-for-production";

    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("support-endpoints-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task SupportUrlsSeparateTheSupportSurfacesFromGooglesRoutes()
    {
        var supportPort = FakeGoogle.FreePort();
        await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Support__Urls"] = $"http://127.0.0.1:{supportPort}",
        }));
        using var google = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };
        using var support = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{supportPort}") };
        var echo = GspMessages.Echo(GspMessages.NewId("echo"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToJsonString();

        Assert.Multiple(async () =>
        {
            Assert.That((await google.PostAsync("/redirect-payment-token-v1/echo", new StringContent(echo, null, "application/json"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await support.PostAsync("/redirect-payment-token-v1/echo", new StringContent(echo, null, "application/json"))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await google.GetAsync("/console/sign-in")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await support.GetAsync("/console/sign-in")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await SendWithKeyAsync(google, "/support/v1/audit")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await SendWithKeyAsync(support, "/support/v1/audit")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task InstancesSharingTheKeysFolderHonourEachOthersSessions()
    {
        var keys = Directory.CreateDirectory(Path.Combine(_folder, "shared-keys")).FullName;
        var environment = ServerProcess.Environment(_folder, new Dictionary<string, string?> { ["Support__DataProtectionKeysFolder"] = keys });
        await using var first = await ServerProcess.StartAsync(environment);
        await using var second = await ServerProcess.StartAsync(environment);
        using var a = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{first.Port}") };
        using var b = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{second.Port}") };

        var cookie = await SignInAsync(a);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", cookie);
        var onSecond = await b.SendAsync(request);

        Assert.That(onSecond.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a session made on one instance opens the console on the other");

        var otherKeys = Directory.CreateDirectory(Path.Combine(_folder, "other-keys")).FullName;
        await using var stranger = await ServerProcess.StartAsync(
            ServerProcess.Environment(_folder, new Dictionary<string, string?> { ["Support__DataProtectionKeysFolder"] = otherKeys }));
        using var c = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{stranger.Port}") };
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console");
        again.Headers.Add("Cookie", cookie);
        Assert.That((await c.SendAsync(again)).StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "an instance with other keys cannot read the session");
    }

    /// <summary>
    /// S3-M2: the cookie names a session held on the server and its holder by key identifier. A copy of the cookie dies
    /// when its session signs out; a key removed from configuration ends its sessions; a changed role applies at once.
    /// </summary>
    [Test]
    public async Task ConsoleSessionsEndOnTheServerWithSignOutWithTheKeyAndFollowItsRole()
    {
        var keys = Directory.CreateDirectory(Path.Combine(_folder, "shared-keys")).FullName;
        Dictionary<string, string?> With(string role, string key) => ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Support__DataProtectionKeysFolder"] = keys,
            ["Support__ApiKeys__0__Role"] = role,
            ["Support__ApiKeys__0__Key"] = key,
        });

        string kept;
        await using (var server = await ServerProcess.StartAsync(With("Operator", Key)))
        {
            using var http = Client(server);
            var signedOut = await SignInAsync(http);
            var copy = signedOut;
            var before = await GetAsync(http, "/console", copy);
            using (var signOut = await PostFormAsync(http, "/console/sign-out", "/console", signedOut, []))
            {
                Assert.That((signOut.StatusCode, signOut.Headers.Location?.OriginalString), Is.EqualTo((HttpStatusCode.Redirect, "/console/signed-out")), "signed out");
            }

            Assert.Multiple(async () =>
            {
                Assert.That(before, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(await GetAsync(http, "/console", copy), Is.EqualTo(HttpStatusCode.Redirect), "a copied cookie dies with its session");
            });
            kept = await SignInAsync(http);
        }

        await using (var demoted = await ServerProcess.StartAsync(With("Viewer", Key)))
        {
            using var http = Client(demoted);
            using var recover = await PostFormAsync(http, "/console/notifications", "/console/notifications", kept, new()
            {
                ["since"] = "2020-01-01T00:00:00Z", ["until"] = "2020-01-02T00:00:00Z", ["reason"] = "demoted, must not work",
            });
            Assert.Multiple(async () =>
            {
                Assert.That(await GetAsync(http, "/console", kept), Is.EqualTo(HttpStatusCode.OK), "the session survives a restart");
                Assert.That(recover.Headers.Location?.AbsolutePath, Is.EqualTo("/console/denied"), "the new role applies at once");
            });
        }

        await using (var removed = await ServerProcess.StartAsync(With("Operator", "another-key-entirely-0123456789")))
        {
            using var http = Client(removed);
            Assert.That(await GetAsync(http, "/console", kept), Is.EqualTo(HttpStatusCode.Redirect), "the key was removed: its sessions end");
        }

        await using (var restored = await ServerProcess.StartAsync(With("Operator", Key)))
        {
            using var http = Client(restored);
            Assert.That(await GetAsync(http, "/console", kept), Is.EqualTo(HttpStatusCode.Redirect), "an ended session stays ended");
        }

        static HttpClient Client(ServerProcess server) =>
            new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };
    }

    [Test]
    public async Task ANormalPageViewLogsNoWarning()
    {
        await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?>()));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };
        var cookie = await SignInAsync(http);
        foreach (var page in new[] { "/console", "/console/search", "/console/notifications", "/console/audit" })
        {
            Assert.That(await GetAsync(http, page, cookie), Is.EqualTo(HttpStatusCode.OK), page);
        }

        var before = server.Output;
        Assert.That((await http.GetAsync("/console/sign-in")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Task.Delay(200);
        Assert.That(server.Output.Split('\n').Where(l => l.StartsWith("warn: Microsoft", StringComparison.Ordinal)), Is.Empty, server.Output[before.Length..]);
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Opens <paramref name="page"/> with the session's cookie and posts its form to <paramref name="path"/>.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, string page, string cookie, Dictionary<string, string> fields)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, page);
        get.Headers.Add("Cookie", cookie);
        using var form = await http.SendAsync(get);
        var cookies = form.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c.Split(';')[0]).Prepend(cookie) : [cookie];
        fields["__RequestVerificationToken"] = AntiforgeryToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Add("Cookie", string.Join("; ", cookies));
        return await http.SendAsync(post);
    }

    private static async Task<HttpResponseMessage> SendWithKeyAsync(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", Key);
        return await http.SendAsync(request);
    }

    /// <returns>The Cookie header that carries the console session (and the antiforgery cookie).</returns>
    private static async Task<string> SignInAsync(HttpClient http)
    {
        var form = await http.GetAsync("/console/sign-in");
        var antiforgery = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var token = AntiforgeryToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/console/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Key, ["returnUrl"] = "/console", ["__RequestVerificationToken"] = token }),
        };
        post.Headers.Add("Cookie", antiforgery);
        var signedIn = await http.SendAsync(post);
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
