using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.SupportConsole;

/// <summary>
/// Staff sign in to the console through a real OpenID Connect provider (tools/dev-identity-provider, panva's certified
/// oidc-provider under Node, on localhost) in the real browser, with key sign-in switched off (README "Sign-in with your identity provider"): each
/// kind of person, and each way the round trip can be attacked, seen from outside.
/// </summary>
[NonParallelizable]
public sealed class ConsoleOidcTests
{
    private const string ApiKey = "dev-support-key-not-for-production";

    private string _folder = null!;
    private DevIdentityProvider _provider = null!;
    private ServerProcess _server = null!;
    private Chromium? _chromium;

    private string BaseUrl => $"http://127.0.0.1:{_server.Port}";

    private IBrowser Browser => _chromium!.Browser;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("console-oidc-").FullName;
        var port = FakeGoogle.FreePort();
        _provider = await DevIdentityProvider.StartAsync($"http://127.0.0.1:{port}");
        _server = await ServerProcess.StartAsync(
            ServerProcess.Environment(_folder, new Dictionary<string, string?>
            {
                ["Console__KeySignIn"] = "false",
                ["Console__Oidc__Authority"] = _provider.Issuer,
                ["Console__Oidc__ClientId"] = DevIdentityProvider.ConsoleClientId,
                ["Console__Oidc__ClientSecret"] = DevIdentityProvider.ConsoleClientSecret,
                // No Scopes: the provider offers a "groups" scope in its discovery document, which is asked for by itself.
                ["Console__Oidc__RoleClaim"] = "groups",
                ["Console__Oidc__OperatorValues__0"] = "integrator-operators",
                ["Console__Oidc__ViewerValues__0"] = "integrator-viewers",
                ["Logging__LogLevel__Default"] = "Warning",
            }),
            port);
        _chromium = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        await _server.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task AnOperatorSignsInThroughTheProviderReleasesAHoldAndTheAuditNamesThem()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync("ada.ops");
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("Ada Operator (Operator)");

        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Release hold…" }).ClickAsync();
        await page.GetByLabel("Why").FillAsync("Customer asked by phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Release hold" }).ClickAsync();
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("CANCELLED");

        var audit = await AuditAsync();
        var release = audit.First(a => a!["action"]!.GetValue<string>() == "release" && a["target"]!.GetValue<string>().EndsWith(reservation, StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(release!["actor"]!.GetValue<string>(), Is.EqualTo("Ada Operator"), "the person's name claim acts in the audit");
            Assert.That(release["channel"]!.GetValue<string>(), Is.EqualTo("console"));
            Assert.That(audit.Any(a => a!["actor"]!.GetValue<string>() == "Ada Operator" && a["outcome"]!.GetValue<string>().Contains("identity provider", StringComparison.Ordinal)), "the sign-in is audited");
        });
    }

    [Test]
    public async Task AViewerSeesNoActionAndAForgedPostIsRefused()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync("vera.viewer");
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("Vera Viewer (Viewer)");
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("RESERVED");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Release hold…" })).ToHaveCountAsync(0);

        // The POST a Viewer's browser could forge: with the session's own antiforgery token, and without one.
        var token = await ConsoleBrowser.AntiforgeryTokenAsync(page);
        var release = $"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}/release";
        var withToken = await page.Context.APIRequest.PostAsync(release, new()
        {
            Form = ConsoleBrowser.Form(page.Context.APIRequest, ("reason", "forged"), ("__RequestVerificationToken", token)),
            MaxRedirects = 0,
        });
        var withoutToken = await page.Context.APIRequest.PostAsync(release, new() { Form = ConsoleBrowser.Form(page.Context.APIRequest, ("reason", "forged")), MaxRedirects = 0 });
        Assert.Multiple(async () =>
        {
            Assert.That(withToken.Status, Is.EqualTo(302));
            Assert.That(withToken.Headers["location"], Does.Contain("/console/denied"));
            Assert.That(withoutToken.Status, Is.EqualTo(302));
            Assert.That(withoutToken.Headers["location"], Does.Contain("/console/denied"));
            Assert.That(await ReservationStateAsync(reservation), Is.EqualTo("RESERVED"), "nothing changed");
        });
    }

    [Test]
    public async Task APersonWithNoMappedRoleIsRefusedWithAPageThatSaysSo()
    {
        var page = await NewPageAsync();
        var landed = await SignInThroughProviderAsync(page, "mallory");
        Assert.That(landed?.Status, Is.EqualTo(403));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You have no role in the console" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("no console role");
        await AssertSignedOutAsync(page);
        Assert.That((await AuditAsync()).Any(a => a!["actor"]!.GetValue<string>() == "Mallory Outsider" && a["outcome"]!.GetValue<string>().StartsWith("refused: no role", StringComparison.Ordinal)));
    }

    [Test]
    public async Task ATamperedStateIsRefused()
    {
        var page = await NewPageAsync();
        await RewriteCallbackAsync(page, query =>
        {
            var state = query["state"]!;
            query["state"] = state[..^4] + (state[^4..] == "AAAA" ? "BBBB" : "AAAA");
        });

        await SignInThroughProviderAsync(page, "ada.ops");

        await AssertRefusedAsync(page);
    }

    [Test]
    public async Task AReplayedAuthorizationCodeIsRefused()
    {
        // Ada signs in; her browser's callback (code and state) is kept.
        string? callback = null;
        var first = await NewPageAsync();
        first.Request += (_, request) =>
        {
            if (request.Url.Contains("/console/signin-oidc?", StringComparison.Ordinal))
            {
                callback = request.Url;
            }
        };
        await SignInThroughProviderAsync(first, "ada.ops");
        await Assertions.Expect(first.GetByRole(AriaRole.Heading, new() { Name = "What needs attention" })).ToBeVisibleAsync();
        Assert.That(callback, Is.Not.Null);

        // The same callback again, in another browser: it has no correlation cookie for that state.
        var replayed = await NewPageAsync();
        await replayed.GotoAsync(callback!);
        await AssertRefusedAsync(replayed);

        // The used code inside a fresh, genuine round trip of another browser: the provider refuses to redeem it twice.
        var swapped = await NewPageAsync();
        var usedCode = System.Web.HttpUtility.ParseQueryString(new Uri(callback!).Query)["code"];
        await RewriteCallbackAsync(swapped, query => query["code"] = usedCode);
        await SignInThroughProviderAsync(swapped, "grace.ops");
        await AssertRefusedAsync(swapped);
        Assert.That((await AuditAsync()).Any(a => a!["outcome"]!.GetValue<string>().Contains("invalid_grant", StringComparison.Ordinal)), "refused by the provider, as audited");
    }

    [Test]
    public async Task AnIdTokenIssuedToAnotherClientIsRefused()
    {
        await _provider.IssueNextIdTokenToAnotherClientAsync();
        var page = await NewPageAsync();

        await SignInThroughProviderAsync(page, "ada.ops");

        await AssertRefusedAsync(page);
        Assert.That((await AuditAsync()).Any(a => a!["outcome"]!.GetValue<string>().Contains("IDX10214", StringComparison.Ordinal)), "refused for its audience");
    }

    [Test]
    public async Task SignOutEndsTheSessionHereAndAtTheProvider()
    {
        var page = await SignedInPageAsync("grace.ops");
        var copied = await page.Context.CookiesAsync([BaseUrl]);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, sign me out" }).ClickAsync(); // the provider's own logout page
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        Assert.That(page.Url, Is.EqualTo($"{BaseUrl}/console/signed-out"));
        await AssertSignedOutAsync(page);

        var copy = await (await Browser.NewContextAsync()).NewPageAsync();
        await copy.Context.AddCookiesAsync(copied.Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        await AssertSignedOutAsync(copy);

        // Signed out at the provider too: signing in again asks who you are.
        await page.GotoAsync($"{BaseUrl}/console/sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();
        await Assertions.Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
    }

    [Test]
    public async Task ApiKeysStillOpenTheApiNeverTheConsoleAndKeySignInIsSwitchedOff()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(BaseUrl) };
        using var api = new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit");
        api.Headers.Add("X-API-Key", ApiKey);
        using var console = new HttpRequestMessage(HttpMethod.Get, "/console");
        console.Headers.Add("X-API-Key", ApiKey);
        var signIn = await http.GetStringAsync("/console/sign-in");
        var token = Regex.Match(signIn, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var keyForm = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = ApiKey, ["__RequestVerificationToken"] = token });

        var apiAnswer = await http.SendAsync(api);
        var consoleAnswer = await http.SendAsync(console);
        var keyAnswer = await http.PostAsync("/console/sign-in", keyForm);

        Assert.Multiple(() =>
        {
            Assert.That(apiAnswer.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the API key opens the API");
            Assert.That(consoleAnswer.Headers.Location?.ToString(), Does.Contain("/console/sign-in"), "and never the console");
            Assert.That(signIn, Does.Not.Contain("Your support key"), "no key form when key sign-in is off");
            Assert.That(keyAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a key posted anyway is refused");
        });
    }

    [Test]
    public async Task TheNewPagesHaveNoSeriousOrCriticalAccessibilityViolation()
    {
        var violations = new List<string>();
        var page = await NewPageAsync();
        await page.GotoAsync($"{BaseUrl}/console/sign-in");
        await Accessibility.ScanAsync(page, "sign-in", violations);
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-sign-in-provider.png"), FullPage = true });
        await page.GotoAsync($"{BaseUrl}/console/sign-in?failed=provider");
        await Accessibility.ScanAsync(page, "sign-in failed", violations);
        await page.GotoAsync($"{BaseUrl}/console/no-role");
        await Accessibility.ScanAsync(page, "no role", violations);
        await page.GotoAsync($"{BaseUrl}/console/signed-out");
        await Accessibility.ScanAsync(page, "signed out", violations);
        Assert.That(violations, Is.Empty);
    }

    private async Task<IPage> NewPageAsync() => await (await Browser.NewContextAsync()).NewPageAsync();

    private async Task<IPage> SignedInPageAsync(string login)
    {
        var page = await NewPageAsync();
        await SignInThroughProviderAsync(page, login);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What needs attention" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>From the console's sign-in page to the provider's login form and back; the last response the browser got.</summary>
    private async Task<IResponse?> SignInThroughProviderAsync(IPage page, string login)
    {
        await page.GotoAsync($"{BaseUrl}/console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with your identity provider" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any password");
        var landed = page.WaitForResponseAsync(r => r.Url.StartsWith(BaseUrl, StringComparison.Ordinal) && r.Request.IsNavigationRequest && r.Status != 302);
        await page.Locator("button[type=submit]").ClickAsync();
        return await landed;
    }

    /// <summary>Changes the query of the provider's redirect back to the console's callback, as an attacker in the middle would.</summary>
    private Task RewriteCallbackAsync(IPage page, Action<System.Collections.Specialized.NameValueCollection> change) =>
        _provider.InterceptCallbacksAsync(page, callback =>
        {
            var target = new Uri(callback);
            var query = System.Web.HttpUtility.ParseQueryString(target.Query);
            change(query);
            return $"{target.GetLeftPart(UriPartial.Path)}?{query}";
        });

    private async Task AssertRefusedAsync(IPage page)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("did not complete");
        Assert.That(page.Url, Does.StartWith($"{BaseUrl}/console/sign-in?failed="));
        await AssertSignedOutAsync(page);
    }

    private async Task AssertSignedOutAsync(IPage page)
    {
        await page.GotoAsync($"{BaseUrl}/console");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(BaseUrl)}/console/sign-in"));
    }

    private async Task<string> ReserveAsync()
    {
        var requestId = GspMessages.NewId("reserve");
        (await _server.PostAsync("reserveFunds", GspMessages.Reserve(requestId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 3_000_000, "tok-rich"))).AssertStatus(200);
        return requestId;
    }

    private async Task<string> ReservationStateAsync(string reservation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/support/v1/reservations/InvisiCashUSA_USD/{reservation}");
        request.Headers.Add("X-API-Key", ApiKey);
        return JsonNode.Parse(await (await _server.Client.SendAsync(request)).Content.ReadAsStringAsync())!["state"]!.GetValue<string>();
    }

    private async Task<JsonArray> AuditAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit?limit=500");
        request.Headers.Add("X-API-Key", ApiKey);
        return JsonNode.Parse(await (await _server.Client.SendAsync(request)).Content.ReadAsStringAsync())!.AsArray();
    }
}
