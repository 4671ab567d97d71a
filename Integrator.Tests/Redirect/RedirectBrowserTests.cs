using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.Redirect;

/// <summary>
/// The redirect page in a real browser (Debian's Chromium) against the real server in PGP mode: a customer signs in,
/// chooses an account and approves or declines, and the browser lands on Google's callback with a redirectResponse
/// that GnuPG, holding Google's key, opens and verifies.
/// </summary>
[NonParallelizable]
public sealed class RedirectBrowserTests
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _browserLog = new();
    private RedirectServer _redirect = null!;
    private Chromium? _chromium;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _redirect = await RedirectServer.StartAsync(new Dictionary<string, string?>
        {
            ["Redirect__MaxFailedSignIns"] = "3",
            ["Redirect__FailedSignInsPerMinute"] = "1000",
            // Verbose, as an operator chasing a problem would run it: even then no secret may reach the log.
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        });
        _chromium = await Chromium.LaunchAsync();
    }

    private IBrowser Browser => _chromium!.Browser;

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        await _redirect.DisposeAsync();
    }

    [Test]
    public async Task ACustomerApprovesAndGoogleVerifiesSuccessThenTheTokenPays()
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), amountMicros: 25_000_000)));

        await Assertions.Expect(page.Locator(".amount")).ToHaveTextAsync("25.00 USD");
        await Assertions.Expect(page.Locator(".description")).ToHaveTextAsync("Google Store purchase");
        var violations = new List<string>();
        await Accessibility.ScanAsync(page, "sign-in", violations);
        await SignInAsync(page, TestLedger.Customer, TestLedger.Passcode);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed in as Ada Lovelace: choose the account" })).ToBeVisibleAsync();
        Assert.That(await page.GetByRole(AriaRole.Radio).CountAsync(), Is.EqualTo(3), "Ada's three USD accounts, not her INR one");
        await Accessibility.ScanAsync(page, "account choice", violations);
        await page.GetByLabel("acct-rich").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        var handBack = await LandedAtGoogleAsync(page);
        Assert.Multiple(() =>
        {
            Assert.That(handBack.GpgStatus, Does.Contain("[GNUPG:] DECRYPTION_OKAY"));
            Assert.That(handBack.GpgStatus, Does.Contain("[GNUPG:] VALIDSIG"), "signed with our key");
            Assert.That(handBack.Result, Is.EqualTo("success"));
            Assert.That(handBack.Response["redirectRequestId"]!.GetValue<string>(), Is.EqualTo(redirectRequestId));
            Assert.That(handBack.RedirectRequestId, Is.EqualTo(redirectRequestId));
            Assert.That(handBack.PaymentIntegratorAccountId, Is.EqualTo(GspMessages.AccountId));
            Assert.That(handBack.State, Is.EqualTo("from-google"), "callbackUrl's own query is kept");
            Assert.That(violations, Is.Empty);
        });

        // No googlePaymentToken in the request: the redirectRequestId is the token now bound to acct-rich.
        var reserve = await _redirect.Server.PostAsync(
            "reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now(), 10_000_000, token: redirectRequestId), _redirect.GoogleSide);
        reserve.AssertStatus(200);
        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"));

        // Support finds it by its id, and by the token it bound (posted, never in a URL).
        var console = await ConsoleBrowser.SignedInPageAsync(Browser, _redirect.BaseUrl, "dev-support-key-not-for-production");
        await console.GotoAsync($"{_redirect.BaseUrl}/console/search");
        await console.GetByLabel("Any id").FillAsync(redirectRequestId);
        await console.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(console.Locator("tbody")).ToContainTextAsync("redirect");
        await console.GetByLabel("A payment token").FillAsync(redirectRequestId);
        await console.GetByRole(AriaRole.Button, new() { Name = "Find the redirect" }).ClickAsync();
        Assert.That(console.Url, Does.Not.Contain(redirectRequestId), "the token stays out of the address");
        await console.GetByRole(AriaRole.Link, new() { Name = redirectRequestId }).ClickAsync();
        await Assertions.Expect(console.Locator(".state")).ToHaveTextAsync("FINISHED");
        await Assertions.Expect(console.Locator(".result")).ToHaveTextAsync("success");
        await Assertions.Expect(console.Locator(".facts")).ToContainTextAsync("acct-rich");
        await Eventually.TrueAsync(
            async () =>
            {
                await console.ReloadAsync();
                return (await console.Locator("table").TextContentAsync())?.Contains("DELIVERED", StringComparison.Ordinal) == true;
            },
            "the complete notification shown as delivered");
    }

    [TestCase(TestLedger.Customer, TestLedger.Passcode, "acct-poor", 50_000_000, "insufficientFunds")]
    [TestCase(TestLedger.Customer, TestLedger.Passcode, "acct-limited", 200_000_000, "chargeExceedsTransactionLimit")]
    [TestCase(TestLedger.OtherCustomer, TestLedger.OtherPasscode, "acct-on-hold", 10_000_000, "accountOnHold")]
    public async Task AnAccountThatCannotPayIsTheDeclineReserveFundsWouldGive(string customer, string passcode, string account, long amountMicros, string decline)
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), amountMicros)));
        await SignInAsync(page, customer, passcode);
        await page.GetByLabel(account).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        var handBack = await LandedAtGoogleAsync(page);
        Assert.That(handBack.Result, Is.EqualTo(decline));
        var reserve = await _redirect.Server.PostAsync(
            "reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now(), 1_000_000, token: redirectRequestId), _redirect.GoogleSide);
        reserve.AssertError(404, "INVALID_IDENTIFIER");
    }

    [Test]
    public async Task ACustomerWhoDeclinesGoesBackAsUserExitedPaymentFlow()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));
        var declined = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Decline and return to Google" }).ClickAsync(),
            r => r.Url.Contains("handler=Decline", StringComparison.Ordinal));

        if (declined.Status != 303)
        {
            Assert.Fail($"Declining answered {declined.Status}: {await declined.TextAsync()}");
        }

        Assert.That((await LandedAtGoogleAsync(page)).Result, Is.EqualTo("userExitedPaymentFlow"));
    }

    [Test]
    public async Task AWrongPasscodeIsRefusedAndTooManyLockTheCustomerOut()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));

        var wrong = await SignInAsync(page, TestLedger.Customer, "not-the-passcode");
        Assert.That(wrong, Is.EqualTo(401));
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The customer ID or passcode is not right. Check them and try again.");
        await Assertions.Expect(page.GetByLabel("Passcode")).ToHaveValueAsync(string.Empty);
        Assert.That(await SignInAsync(page, TestLedger.Customer, TestLedger.Passcode), Is.EqualTo(200), "a wrong attempt does not block the right one");

        var locked = await NewPageAsync();
        await locked.GotoAsync(_redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));
        for (var i = 0; i < 3; i++)
        {
            await SignInAsync(locked, TestLedger.LockoutCustomer, "guess-" + i);
        }

        Assert.That(await SignInAsync(locked, TestLedger.LockoutCustomer, "eve-passcode-5150"), Is.EqualTo(429), "locked even with the right passcode");
        await Assertions.Expect(locked.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked until");
    }

    [Test]
    public async Task NoPasscodeTokenOrDecryptedPayloadReachesTheLog()
    {
        const string Description = "Unmistakable-description-4f1c";
        var token = GspMessages.NewId("gpt-secret");
        var redirectRequestId = GspMessages.NewId("rr");
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), googlePaymentToken: token, description: Description)));
        await SignInAsync(page, TestLedger.Customer, TestLedger.Passcode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        Assert.That((await LandedAtGoogleAsync(page)).Result, Is.EqualTo("success"));
        (await _redirect.Server.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now(), token: token), _redirect.GoogleSide))
            .AssertStatus(200);

        var log = _redirect.Server.Output;
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("Redirect").And.Contain("ended: success"), "the log does tell the story");
            Assert.That(log, Does.Not.Contain(TestLedger.Passcode));
            Assert.That(log, Does.Not.Contain(token));
            Assert.That(log, Does.Not.Contain(redirectRequestId), "without a googlePaymentToken it would be the token");
            Assert.That(log, Does.Not.Contain(Description));
            Assert.That(log, Does.Not.Contain("example@gmail.com"));
        });
    }

    /// <summary>A fresh browser context; what its pages log and which requests fail is kept for a failure's message.</summary>
    private async Task<IPage> NewPageAsync()
    {
        var page = await (await Browser.NewContextAsync()).NewPageAsync();
        page.Console += (_, message) => _browserLog.Enqueue($"console {message.Type}: {message.Text}");
        page.RequestFailed += (_, request) => _browserLog.Enqueue($"failed {request.Method} {request.Url[..Math.Min(120, request.Url.Length)]}: {request.Failure}");
        page.Response += (_, response) => _browserLog.Enqueue($"{response.Status} {response.Request.Method} {response.Url[..Math.Min(120, response.Url.Length)]}");
        return page;
    }

    /// <summary>Fills the sign-in form and returns the status of the answer.</summary>
    private static async Task<int> SignInAsync(IPage page, string customerId, string passcode)
    {
        await page.GetByLabel("Customer ID").FillAsync(customerId);
        await page.GetByLabel("Passcode").FillAsync(passcode);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Url.Contains("handler=SignIn", StringComparison.Ordinal));
        return response.Status;
    }

    private async Task<HandBack> LandedAtGoogleAsync(IPage page)
    {
        try
        {
            await page.WaitForURLAsync(
                url => url.StartsWith($"http://127.0.0.1:{_redirect.Google.Port}/callback/", StringComparison.Ordinal),
                // The URL is what Google reads; the page's load event (it has none to wait for) is not.
                new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            var log = _redirect.Server.Output;
            Assert.Fail($"The browser never reached Google's callback; it is at {page.Url}:\n{await page.ContentAsync()}\n"
                + $"Browser:\n{string.Join("\n", _browserLog.TakeLast(30))}\nServer log:\n{log[Math.Max(0, log.Length - 4000)..]}");
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Back at Google" })).ToBeVisibleAsync();
        return _redirect.Open(new Uri(page.Url));
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
