using System.Net;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.SupportConsole;

/// <summary>
/// The support console in a real browser (Debian's Chromium through Playwright) against the real server on 127.0.0.1,
/// and its security at the HTTP level: separate schemes, antiforgery, no open redirect, the CSP.
/// </summary>
[NonParallelizable]
public sealed partial class ConsoleTests
{
    private const string OperatorKey = "dev-support-key-not-for-production";
    private const string ViewerKey = "console-viewer-key-0123456789abcdef";

    private string _folder = null!;
    private ServerProcess _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string BaseUrl => $"http://127.0.0.1:{_server.Port}";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("console-").FullName;
        _server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Support__ApiKeys__1__Name"] = "viewer",
            ["Support__ApiKeys__1__Key"] = ViewerKey,
            ["Support__ApiKeys__1__Role"] = "Viewer",
            ["Logging__LogLevel__Default"] = "Warning",
        }));
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task AnOperatorSignsInFindsAReservationAndReleasesItsHoldWithAReason()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync(OperatorKey);

        await page.GetByRole(AriaRole.Link, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel("Any id").FillAsync(reservation);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = reservation }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("RESERVED");

        await page.GetByRole(AriaRole.Link, new() { Name = "Release hold…" }).ClickAsync();
        await Assertions.Expect(page.GetByText("can no longer be captured")).ToBeVisibleAsync();
        Assert.That(await page.EvaluateAsync<bool>("document.activeElement === document.querySelector('button.danger')"), Is.False, "the destructive button is not focused by default");
        await page.GetByLabel("Why").FillAsync("Customer cancelled by phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Release hold" }).ClickAsync();

        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("CANCELLED");
        await Assertions.Expect(page.Locator(".timeline")).ToContainTextAsync("Customer cancelled by phone");
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-reservation.png"), FullPage = true });
    }

    [Test]
    public async Task AReleaseWithoutAReasonShowsTheErrorAndChangesNothing()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync(OperatorKey);
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}/release");
        await page.GetByLabel("Why").FillAsync("   ");
        await page.EvaluateAsync("document.getElementById('reason').removeAttribute('required')");
        await page.GetByRole(AriaRole.Button, new() { Name = "Release hold" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A reason is required");
        Assert.That(await page.EvaluateAsync<string>("document.activeElement?.id"), Is.EqualTo("error-summary"), "focus on the error summary");
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("RESERVED");
    }

    [Test]
    public async Task AViewerSeesNoActionAndIsRefusedWhenGoingThereAnyway()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync(ViewerKey);

        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("RESERVED");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Release hold…" })).ToHaveCountAsync(0);

        var denied = await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}/release");
        Assert.That(denied!.Status, Is.EqualTo(403));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task ABadKeyIsRefusedAndSignOutEndsTheSession()
    {
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync($"{BaseUrl}/console");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
        await page.GetByLabel("Your support key").FillAsync("not-a-key-at-all-but-long-enough");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not a support key");

        await page.GetByLabel("Your support key").FillAsync(OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What needs attention" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-overview.png"), FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();

        await page.GotoAsync($"{BaseUrl}/console");
        await Assertions.Expect(page).ToHaveURLAsync(SignInUrl());
    }

    [Test]
    public async Task APostWithoutTheAntiforgeryTokenIs400()
    {
        using var http = Http();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = OperatorKey });
        var response = await http.PostAsync("/console/sign-in", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task AConsoleCookieNeverOpensTheApiAndAKeyHeaderNeverOpensTheConsole()
    {
        using var http = Http();
        await SignInAsync(http, OperatorKey, returnUrl: "/console");
        var api = await http.GetAsync("/support/v1/audit");
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the console's cookie is not an API key");

        using var keyOnly = Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("X-API-Key", OperatorKey);
        var console = await keyOnly.SendAsync(request);
        Assert.Multiple(() =>
        {
            Assert.That(console.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(console.Headers.Location!.ToString(), Does.Contain("/console/sign-in"));
        });
    }

    [TestCase("https://evil.example/console")]
    [TestCase("//evil.example/console")]
    [TestCase("/\\evil.example")]
    [TestCase("/support/v1/audit")]
    public async Task SignInNeverRedirectsOutsideTheConsole(string returnUrl)
    {
        using var http = Http();
        var landed = await SignInAsync(http, OperatorKey, returnUrl);
        Assert.That(landed, Is.EqualTo("/console"));
    }

    [Test]
    public async Task EveryConsolePageCarriesTheContentSecurityPolicy()
    {
        using var http = Http();
        var response = await http.GetAsync("/console/sign-in");
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'self'"));
            Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        });
    }

    private async Task<IPage> SignedInPageAsync(string key)
    {
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync($"{BaseUrl}/console/sign-in");
        await page.GetByLabel("Your support key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What needs attention" })).ToBeVisibleAsync();
        return page;
    }

    private async Task<string> ReserveAsync()
    {
        var requestId = GspMessages.NewId("reserve");
        (await _server.PostAsync("reserveFunds", GspMessages.Reserve(requestId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 3_000_000, "tok-rich"))).AssertStatus(200);
        return requestId;
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so each answer is seen as sent.</summary>
    private HttpClient Http() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(BaseUrl),
    };

    /// <returns>Where the sign-in sent the browser.</returns>
    private static async Task<string> SignInAsync(HttpClient http, string key, string returnUrl)
    {
        var form = await http.GetStringAsync($"/console/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = token,
        });
        var response = await http.PostAsync("/console/sign-in", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!.ToString();
    }

    private Regex SignInUrl() => new($"^{Regex.Escape(BaseUrl)}/console/sign-in");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
