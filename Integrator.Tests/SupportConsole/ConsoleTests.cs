using System.Net;
using System.Net.Http.Json;
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
    private Chromium? _chromium;

    private string BaseUrl => $"http://127.0.0.1:{_server.Port}";

    private IBrowser Browser => _chromium!.Browser;

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
            // Short enough that a Google outage makes a notification DEAD within a test.
            ["Notifications__PollInterval"] = "00:00:00.100",
            ["Notifications__FirstRetryDelay"] = "00:00:00.200",
            ["Notifications__MaxRetryDelay"] = "00:00:01",
            ["Notifications__Horizon"] = "00:00:03",
            ["Remittance__PollInterval"] = "00:00:00.200",
        }));
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
        var release = (await AuditAsync()).First(a => a!["action"]!.GetValue<string>() == "release" && a["target"]!.GetValue<string>().EndsWith(reservation, StringComparison.Ordinal));
        Assert.That(release!["channel"]!.GetValue<string>(), Is.EqualTo("console"), "the audit says which surface acted");
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-reservation.png"), FullPage = true });
    }

    [Test]
    public async Task SearchFindsEveryKindOfId()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var captured = await ReserveAsync();
        var captureId = GspMessages.NewId("capture");
        (await _server.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, now, captured, 3_000_000))).AssertStatus(200);
        var refundId = GspMessages.NewId("refund");
        (await _server.PostAsync("refund", GspMessages.Refund(refundId, now, captureId, 1_000_000))).AssertStatus(200);
        var refused = await _server.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("capture"), now, captured, 3_000_000));
        var errorIdentifier = refused.Field("paymentIntegratorErrorIdentifier")!;
        var cancelled = await ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        (await _server.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, now, cancelled))).AssertStatus(200);
        var statementId = GspMessages.NewId("statement");
        (await _server.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, now, now - 1, now, 0))).AssertStatus(200);
        var page = await SignedInPageAsync(OperatorKey);

        foreach (var (id, kind) in new[]
        {
            (captured, "reservation"), (captureId, "capture"), (refundId, "refund"), (errorIdentifier, "request"),
            (cancelId, "notification"), (statementId, "statement"),
        })
        {
            await page.GotoAsync($"{BaseUrl}/console/search");
            await page.GetByLabel("Any id").FillAsync(id);
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync(kind);
        }
    }

    [Test]
    public async Task AViewerWhoPostsAnActionAnywayIs403AndNothingChanges()
    {
        var reservation = await ReserveAsync();
        using var http = Http();
        await SignInAsync(http, ViewerKey, returnUrl: "/console");
        var form = await http.GetStringAsync($"/console/reservations/InvisiCashUSA_USD/{reservation}");
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "trying", ["__RequestVerificationToken"] = token });

        var post = await http.PostAsync($"/console/reservations/InvisiCashUSA_USD/{reservation}/release", body);

        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await post.Content.ReadAsStringAsync());
        Assert.That(post.Headers.Location!.ToString(), Does.Contain("/console/denied"), "sent to the not-allowed page");
        foreach (var action in new[] { $"/console/requests/InvisiCashUSA_USD/{reservation}", "/console/notifications" })
        {
            using var other = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["reason"] = "trying", ["since"] = "2000-01-01T00:00:00Z", ["until"] = "2100-01-01T00:00:00Z", ["confirmed"] = "true",
                ["__RequestVerificationToken"] = token,
            });
            var refused = await http.PostAsync(action, other);
            Assert.That(refused.Headers.Location?.ToString(), Does.Contain("/console/denied"), action);
        }

        Assert.That((await AuditAsync()).Where(a => a!["actor"]!.GetValue<string>() == "viewer").Select(a => a!["action"]!.GetValue<string>()),
            Has.None.EqualTo("replay").And.None.EqualTo("recover"), "a Viewer's POST did nothing");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/support/v1/reservations/InvisiCashUSA_USD/{reservation}");
        request.Headers.Add("X-API-Key", OperatorKey);
        var state = System.Text.Json.Nodes.JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!["state"]!.GetValue<string>();
        Assert.That(state, Is.EqualTo("RESERVED"));
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
        var page = await (await Browser.NewContextAsync()).NewPageAsync();
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
    public async Task AnOperatorReplaysARequestAndSeesWhatGoogleWouldGet()
    {
        var reservation = await ReserveAsync();
        var page = await SignedInPageAsync(OperatorKey);
        await page.GotoAsync($"{BaseUrl}/console/requests/InvisiCashUSA_USD/{reservation}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "reserveFunds — EXECUTED, HTTP 200" })).ToBeVisibleAsync();

        await page.GetByLabel("Why").FillAsync("Google support asked what we answered");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();

        var answer = page.GetByRole(AriaRole.Status);
        await Assertions.Expect(answer).ToContainTextAsync("What Google would get: HTTP 200");
        await Assertions.Expect(answer).ToContainTextAsync("\"result\": \"SUCCESS\"");
    }

    [Test]
    public async Task ADeadNotificationIsRecoveredAfterAPreviewAndADeliveredOneResentWithAReason()
    {
        using var http = Http();
        await http.PostAsync("/dev/google/outage", JsonContent.Create(new { seconds = 60 }));
        var reservation = await ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        (await _server.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), reservation))).AssertStatus(200);
        await Eventually.TrueAsync(async () => (await NotificationAsync(cancelId))?["status"]?.GetValue<string>() == "DEAD", "the notification is DEAD during the outage");
        await http.PostAsync("/dev/google/outage", JsonContent.Create(new { seconds = 0 }));

        var page = await SignedInPageAsync(OperatorKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications", Exact = true }).ClickAsync();
        await page.GetByLabel("From (UTC").FillAsync(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Until (UTC)").FillAsync(DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Why").FillAsync("Google endpoint outage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("would be sent again");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Recover \\d+$") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Re-armed");
        await Eventually.TrueAsync(async () => (await NotificationAsync(cancelId))?["status"]?.GetValue<string>() == "DELIVERED", "delivered once Google is back");

        var notificationId = (await NotificationAsync(cancelId))!["notificationId"]!.GetValue<string>();
        await page.GotoAsync($"{BaseUrl}/console/notifications/{notificationId}");
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("DELIVERED");
        await page.GetByLabel("Send again although it was delivered").CheckAsync();
        await page.GetByLabel("Why").FillAsync("Google asked for it again");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("it was DELIVERED");
    }

    [Test]
    public async Task EveryPageHasNoSeriousOrCriticalAccessibilityViolation()
    {
        var reservation = await ReserveAsync();
        var captureId = GspMessages.NewId("capture");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        (await _server.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, now, reservation, 3_000_000))).AssertStatus(200);
        var statementId = GspMessages.NewId("statement");
        (await _server.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, now, now - 1, now, 1))).AssertStatus(200);
        var anonymous = await (await Browser.NewContextAsync()).NewPageAsync();
        await anonymous.GotoAsync($"{BaseUrl}/console/sign-in");
        var violations = new List<string>();
        await Accessibility.ScanAsync(anonymous, "sign-in", violations);

        var page = await SignedInPageAsync(OperatorKey);
        foreach (var path in new[]
        {
            "/console", "/console/search", $"/console/reservations/InvisiCashUSA_USD/{reservation}",
            $"/console/requests/InvisiCashUSA_USD/{reservation}", "/console/notifications", "/console/statements",
            $"/console/statements/InvisiCashUSA_USD/{statementId}", "/console/audit",
        })
        {
            await page.GotoAsync(BaseUrl + path);
            await Accessibility.ScanAsync(page, path, violations);
        }

        var releasable = await ReserveAsync();
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{releasable}/release");
        await Accessibility.ScanAsync(page, "release", violations);
        Assert.That(violations, Is.Empty);
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

    private async Task<System.Text.Json.Nodes.JsonArray> AuditAsync()
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit?limit=500");
        request.Headers.Add("X-API-Key", OperatorKey);
        return System.Text.Json.Nodes.JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!.AsArray();
    }

    private async Task<System.Text.Json.Nodes.JsonNode?> NotificationAsync(string cancelId)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/notifications?limit=500");
        request.Headers.Add("X-API-Key", OperatorKey);
        var page = System.Text.Json.Nodes.JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        return page!["items"]!.AsArray().FirstOrDefault(n => n!["cancelRequestId"]!.GetValue<string>() == cancelId);
    }

    private Task<IPage> SignedInPageAsync(string key) => ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, key);

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
