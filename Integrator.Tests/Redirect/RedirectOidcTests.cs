using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.Redirect;

/// <summary>
/// Customers sign in on the redirect page through the bank's OpenID Connect provider (<c>Redirect:Oidc</c>), a real
/// provider on localhost (tools/dev-identity-provider), in the real browser, against the real server in PGP mode.
/// </summary>
[NonParallelizable]
public sealed class RedirectOidcTests
{
    private DevIdentityProvider _provider = null!;
    private RedirectServer _redirect = null!;
    private Chromium? _chromium;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var port = FakeGoogle.FreePort();
        _provider = await DevIdentityProvider.StartAsync($"http://127.0.0.1:{port}");
        _redirect = await RedirectServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Redirect__Oidc__Authority"] = _provider.Issuer,
                ["Redirect__Oidc__ClientId"] = DevIdentityProvider.CustomersClientId,
                ["Redirect__Oidc__ClientSecret"] = DevIdentityProvider.CustomersClientSecret,
                ["Redirect__Oidc__DisplayName"] = "Test Bank",
                ["Redirect__Oidc__TokenEndpointAuthMethod"] = "client_secret_post", // as the provider registered it (the console's client: basic)
                ["Logging__LogLevel__Default"] = "Warning",
            },
            port);
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
        await _provider.DisposeAsync();
    }

    [Test]
    public async Task ACustomerSignsInThroughTheBanksProviderApprovesAndTheTokenIsBoundToTheirAccount()
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), amountMicros: 25_000_000)));
        await Assertions.Expect(page.GetByLabel("Passcode")).ToHaveCountAsync(0);
        var violations = new List<string>();
        await Accessibility.ScanAsync(page, "sign-in with the bank", violations);

        await SignInAtProviderAsync(page, TestLedger.Customer);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed in as Ada Lovelace: choose the account" })).ToBeVisibleAsync();
        Assert.That(await page.GetByRole(AriaRole.Radio).CountAsync(), Is.EqualTo(3), "Ada's three USD accounts");
        await Accessibility.ScanAsync(page, "account choice", violations);
        await page.GetByLabel("acct-rich").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await page.WaitForURLAsync(url => url.StartsWith($"http://127.0.0.1:{_redirect.Google.Port}/callback/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        var handBack = _redirect.Open(new Uri(page.Url));
        Assert.Multiple(() =>
        {
            Assert.That(handBack.Result, Is.EqualTo("success"));
            Assert.That(handBack.RedirectRequestId, Is.EqualTo(redirectRequestId));
            Assert.That(violations, Is.Empty);
        });
        var reserve = await _redirect.Server.PostAsync(
            "reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now(), 10_000_000, token: redirectRequestId), _redirect.GoogleSide);
        Assert.That(reserve.Field("result"), Is.EqualTo("SUCCESS"), "the token pays from the account Ada chose");
    }

    [Test]
    public async Task AnotherPersonsLoginCannotResumeSomeoneElsesRedirect()
    {
        var adas = GspMessages.NewId("rr");
        var ada = await NewPageAsync();
        await ada.GotoAsync(_redirect.Link(GspMessages.Redirect(adas, Now(), amountMicros: 5_000_000)));

        // Bob's own round trip, for a redirect of his, stopped at the provider's answer: the callback he could plant.
        var bob = await NewPageAsync();
        await bob.GotoAsync(_redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now(), amountMicros: 5_000_000)));
        var planted = new TaskCompletionSource<string>();
        await _provider.InterceptCallbacksAsync(bob, callback =>
        {
            planted.TrySetResult(callback);
            return null;
        });
        await bob.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test Bank" }).ClickAsync();
        await bob.Locator("input[name=login]").FillAsync(TestLedger.OtherCustomer);
        await bob.Locator("input[name=password]").FillAsync("any password");
        await bob.Locator("button[type=submit]").ClickAsync();
        var callbackUrl = await planted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Planted in Ada's browser: it did not start that round trip, so nobody is signed in there.
        await ada.GotoAsync(callbackUrl);
        await Assertions.Expect(ada.GetByRole(AriaRole.Alert)).ToContainTextAsync("did not complete");
        await Assertions.Expect(ada.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test Bank" })).ToBeVisibleAsync();

        // Ada signs in; Bob, holding her link in his own browser, signs in as himself and sees only his accounts.
        await SignInAtProviderAsync(ada, TestLedger.Customer);
        await Assertions.Expect(ada.GetByRole(AriaRole.Heading, new() { Name = "Signed in as Ada Lovelace: choose the account" })).ToBeVisibleAsync();
        var other = await NewPageAsync();
        await other.GotoAsync(_redirect.Link(GspMessages.Redirect(adas, Now(), amountMicros: 5_000_000)));
        await SignInAtProviderAsync(other, TestLedger.OtherCustomer);
        await Assertions.Expect(other.GetByRole(AriaRole.Heading, new() { Name = "Signed in as Bob Babbage: choose the account" })).ToBeVisibleAsync();
        await Assertions.Expect(other.GetByLabel("acct-rich")).ToHaveCountAsync(0);

        // Approving with one of Ada's accounts anyway is refused, and the redirect stays Ada's to finish.
        await other.Locator("input[name=AccountId]").First.EvaluateAsync("(radio, value) => radio.value = value", "acct-rich");
        await other.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(other.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose one of the accounts shown");
        await ada.GetByLabel("acct-rich").CheckAsync();
        await ada.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await ada.WaitForURLAsync(url => url.StartsWith($"http://127.0.0.1:{_redirect.Google.Port}/callback/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        Assert.That(_redirect.Open(new Uri(ada.Url)).Result, Is.EqualTo("success"));
    }

    [Test]
    public async Task ACancelledSignInAtTheProviderSignsNobodyIn()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now(), amountMicros: 5_000_000)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test Bank" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "[ Cancel ]" }).ClickAsync(); // the provider's own "cancel" (access_denied)

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("did not complete");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test Bank" })).ToBeVisibleAsync();
    }

    private async Task<IPage> NewPageAsync() => await (await Browser.NewContextAsync()).NewPageAsync();

    private static async Task SignInAtProviderAsync(IPage page, string customerId)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test Bank" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(customerId);
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.Locator("button[type=submit]").ClickAsync();
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
