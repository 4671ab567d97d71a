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
