using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Redirect;

/// <summary>
/// The redirect at the HTTP level, against the real server in PGP mode with GnuPG as Google: what is refused (error
/// page, nothing sent, nothing stored), one session and one binding per redirectRequestId, the status method before,
/// during and after, and the complete notification delivered once through retries.
/// </summary>
[NonParallelizable]
public sealed partial class RedirectHttpTests
{
    private const string SupportKey = "dev-support-key-not-for-production";
    private const int FailedSignInsPerMinute = 4;

    private RedirectServer _redirect = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _redirect = await RedirectServer.StartAsync(new Dictionary<string, string?>
    {
        ["Logging__LogLevel__Default"] = "Warning",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _redirect.DisposeAsync();

    [SetUp]
    public void GoogleAnswers() => _redirect.Google.Respond = _ => 200;

    public static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData("tampered", "INVALID_PAYLOAD_ENCRYPTION").SetName("A tampered payload is refused");
        yield return new TestCaseData("stranger", "INVALID_PAYLOAD_SIGNATURE").SetName("A payload signed by a stranger is refused");
        yield return new TestCaseData("unsigned", "INVALID_PAYLOAD_SIGNATURE").SetName("An unsigned payload is refused");
        yield return new TestCaseData("expired", "REQUEST_EXPIRED").SetName("An expired payload is refused");
        yield return new TestCaseData("other-host", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl to another host is refused");
        yield return new TestCaseData("look-alike-host", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl to a look-alike host is refused");
        yield return new TestCaseData("plain-http", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl over plain HTTP is refused");
        yield return new TestCaseData("script.google.com", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl to script.google.com (anyone publishes there) is refused");
        yield return new TestCaseData("sites.google.com", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl to sites.google.com is refused");
        yield return new TestCaseData("google-redirector", "CALLBACK_NOT_ALLOWED").SetName("A callbackUrl through Google's www.google.com/url redirector is refused");
        yield return new TestCaseData("oversized", "URL_TOO_LONG").SetName("A URL over 2048 characters is refused");
        yield return new TestCaseData("unknown-piaid", "INVALID_IDENTIFIER").SetName("A payload for a PIAID we do not serve is refused");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task ARefusedRedirectIsAnErrorPageAndNothingIsSentOrStored(string kind, string code)
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var request = GspMessages.Redirect(redirectRequestId, kind == "expired" ? Now() - (long)TimeSpan.FromMinutes(11).TotalMilliseconds : Now());
        if (kind == "unknown-piaid")
        {
            request["paymentIntegratorAccountId"] = "SomeoneElse_USD";
        }

        var url = kind switch
        {
            "tampered" => Regex.Replace(_redirect.Link(request), "redirectRequest=([A-Za-z0-9_-]{200})([A-Za-z0-9_-])", m => $"redirectRequest={m.Groups[1].Value}{(m.Groups[2].Value == "A" ? "B" : "A")}"),
            "stranger" => _redirect.Link(request, signers: ["stranger"]),
            "unsigned" => _redirect.Link(request, signers: []),
            "other-host" => _redirect.Link(request, "https://evil.example/return"),
            "look-alike-host" => _redirect.Link(request, "https://pay.google.com.evil.example/return"),
            "plain-http" => _redirect.Link(request, "http://pay.google.com/return"),
            "script.google.com" => _redirect.Link(request, "https://script.google.com/macros/s/attacker/exec"),
            "sites.google.com" => _redirect.Link(request, "https://sites.google.com/view/attacker"),
            "google-redirector" => _redirect.Link(request, "https://www.google.com/url?q=https://evil.example/"),
            "oversized" => _redirect.Link(request) + "&padding=" + new string('x', 2048),
            _ => _redirect.Link(request),
        };
        using var browser = Browser();
        var notificationsBefore = _redirect.Google.Received.Count;

        using var response = await browser.GetAsync(url);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(kind == "oversized" ? 414 : 400));
            Assert.That(response.Headers.Location, Is.Null, "no redirect anywhere");
            Assert.That(page, Does.Contain("We cannot continue with this request").And.Contain(code));
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("form-action 'self';"));
        });
        Assert.That((await SupportAsync(HttpMethod.Post, "redirects/find", new { redirectRequestId })).Status, Is.EqualTo(404), "no session was stored");
        Assert.That(_redirect.Google.Received.Count, Is.EqualTo(notificationsBefore), "nothing was sent to Google");
        Assert.That(_redirect.Google.Callbacks.Any(c => c.Query.Contains(redirectRequestId, StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task TheSameRedirectTwiceResumesItAndBindsOnce()
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var link = _redirect.Link(GspMessages.Redirect(redirectRequestId, Now()));
        using var first = Browser();
        using var second = Browser();
        var firstPage = await ArriveAsync(first, link);
        var secondPage = await ArriveAsync(second, link);
        await SignInAsync(first, firstPage, TestLedger.Customer, TestLedger.Passcode);
        var secondChoice = await SignInAsync(second, secondPage, TestLedger.Customer, TestLedger.Passcode);

        // Both tabs approve at once, with different accounts: one wins, and both go back with its result.
        var approvals = await Task.WhenAll(
            ApproveAsync(first, firstPage, "acct-rich"),
            ApproveAsync(second, secondChoice, "acct-limited"));
        using var third = Browser();
        using var again = await third.GetAsync(link);

        var handBacks = approvals.Append(again.Headers.Location!).Select(_redirect.Open).ToList();
        Assert.That(handBacks.Select(h => h.Result), Is.All.EqualTo("success"));
        var view = (await SupportAsync(HttpMethod.Post, "redirects/find-by-token", new { token = redirectRequestId })).Json.AsArray();
        Assert.That(view, Has.Count.EqualTo(1), "one binding");
        var bound = view[0]!["accountId"]!.GetValue<string>();
        Assert.That(bound, Is.AnyOf("acct-rich", "acct-limited"));
        Assert.That((await SupportAsync(HttpMethod.Post, "redirects/find", new { redirectRequestId })).Json["notifications"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task TheStatusMethodSaysPendingUntilTheCustomerFinishesThenTheSameResult()
    {
        var redirectRequestId = GspMessages.NewId("rr");
        (await _redirect.StatusAsync(redirectRequestId)).AssertError(404, "INVALID_IDENTIFIER");

        using var browser = Browser();
        var page = await ArriveAsync(browser, _redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), amountMicros: 50_000_000)));
        var duringId = GspMessages.NewId("status");
        var during = await _redirect.StatusAsync(redirectRequestId, duringId);
        during.AssertStatus(200);
        Assert.That(RedirectServer.ResultOf(during.Json["result"]), Is.EqualTo("pending"));

        var choice = await SignInAsync(browser, page, TestLedger.Customer, TestLedger.Passcode);
        var handBack = _redirect.Open(await ApproveAsync(browser, choice, "acct-poor"));
        var after = await _redirect.StatusAsync(redirectRequestId);
        var replay = await _redirect.StatusAsync(redirectRequestId, duringId);

        Assert.Multiple(() =>
        {
            Assert.That(handBack.Result, Is.EqualTo("insufficientFunds"));
            Assert.That(RedirectServer.ResultOf(after.Json["result"]), Is.EqualTo("insufficientFunds"), "the browser's result");
            Assert.That(Without(replay.Json, "responseHeader"), Is.EqualTo(Without(during.Json, "responseHeader")), "a retry of a status call gets its first answer");
        });
    }

    [Test]
    public async Task TheCompleteNotificationIsDeliveredOnceThroughRetriesAndMatchesTheBrowser()
    {
        var failures = 2;
        _redirect.Google.Respond = _ => Interlocked.Decrement(ref failures) >= 0 ? 503 : 200;
        var redirectRequestId = GspMessages.NewId("rr");
        using var browser = Browser();
        var page = await ArriveAsync(browser, _redirect.Link(GspMessages.Redirect(redirectRequestId, Now(), amountMicros: 200_000_000)));
        var choice = await SignInAsync(browser, page, TestLedger.Customer, TestLedger.Passcode);
        var handBack = _redirect.Open(await ApproveAsync(browser, choice, "acct-limited"));

        List<ReceivedNotification> calls = [];
        await Eventually.TrueAsync(
            async () =>
            {
                // The status first: a call is recorded before it is answered, so once DELIVERED is seen every call is.
                var notification = (await SupportAsync(HttpMethod.Post, "redirects/find", new { redirectRequestId })).Json["notifications"]![0];
                calls = [.. _redirect.Google.CallsTo("generatePaymentTokenRedirectCompleteNotification")
                    .Where(c => c.Json?.Contains(redirectRequestId, StringComparison.Ordinal) == true)];
                return notification?["status"]?.GetValue<string>() == "DELIVERED";
            },
            "the notification delivered");

        var bodies = calls.Select(c => JsonNode.Parse(c.Json!)!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(handBack.Result, Is.EqualTo("chargeExceedsTransactionLimit"));
            Assert.That(calls, Has.Count.EqualTo(3), "two 503s, then delivered, then nothing more");
            Assert.That(calls.Select(c => c.AnyRequestId).Distinct().Count(), Is.EqualTo(1), "the same requestId on every attempt");
            Assert.That(calls.Select(c => c.Path).Distinct().Single(), Does.EndWith($"/generatePaymentTokenRedirectCompleteNotification/{GspMessages.AccountId}"));
            Assert.That(bodies.Select(b => RedirectServer.ResultOf(b["result"])), Is.All.EqualTo("chargeExceedsTransactionLimit"));
            Assert.That(bodies.Select(b => b["redirectRequestId"]!.GetValue<string>()), Is.All.EqualTo(redirectRequestId));
        });
        await Task.Delay(500);
        Assert.That(_redirect.Google.CallsTo("generatePaymentTokenRedirectCompleteNotification").Count(c => c.Json?.Contains(redirectRequestId, StringComparison.Ordinal) == true), Is.EqualTo(3));
    }

    [Test]
    public async Task FailedSignInsFromOneAddressAreThrottled()
    {
        // A server of its own: every test here signs in from 127.0.0.1, which this test locks out for a minute.
        await using var throttled = await RedirectServer.StartAsync(new Dictionary<string, string?>
        {
            ["Redirect__FailedSignInsPerMinute"] = FailedSignInsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var browser = Browser(throttled);
        var page = await ArriveAsync(browser, throttled.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));
        var statuses = new List<int>();
        for (var i = 0; i <= FailedSignInsPerMinute; i++)
        {
            using var response = await PostFormAsync(browser, "SignIn", page, new() { ["CustomerId"] = $"nobody-{i}", ["Passcode"] = "guess" });
            statuses.Add((int)response.StatusCode);
            page = await response.Content.ReadAsStringAsync();
        }

        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(401, FailedSignInsPerMinute).Append(429)));
        Assert.That(page, Does.Contain("Too many failed sign-ins"));
    }

    /// <summary>
    /// S3-H2: every attempt is counted before its passcode is checked, in the statement that checks the lockout. Sixty
    /// wrong passcodes at once get exactly Redirect:MaxFailedSignIns checks; then a burst with the right passcode in the
    /// middle signs nobody in.
    /// </summary>
    [Test]
    public async Task ABurstOfGuessesGetsNoMoreChecksThanTheLockoutAllowsAndTheRightPasscodeInsideItDoesNotSignIn()
    {
        await using var server = await RedirectServer.StartAsync(new Dictionary<string, string?>
        {
            ["Redirect__FailedSignInsPerMinute"] = "100000",
            ["Redirect__MaxFailedSignIns"] = "5",
        });
        using var browser = Browser(server);
        var page = await ArriveAsync(browser, server.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));

        var first = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => SignInStatusAsync(browser, page, TestLedger.Customer, $"guess-{i}")));
        var second = await Task.WhenAll(Enumerable.Range(0, 61).Select(i =>
            SignInStatusAsync(browser, page, TestLedger.Customer, i == 30 ? TestLedger.Passcode : $"guess-b{i}")));

        Assert.Multiple(() =>
        {
            Assert.That(first.Count(s => s == 401), Is.EqualTo(5), "checked: exactly Redirect:MaxFailedSignIns");
            Assert.That(first.Count(s => s == 429), Is.EqualTo(55), "the rest refused as locked, unchecked");
            Assert.That(second, Is.All.EqualTo(429), "during the lockout even the right passcode does not sign in");
        });
    }

    /// <summary>S3-L1: callbackUrl is outside Google's signature, so the first arrival fixes it.</summary>
    [Test]
    public async Task ALaterArrivalWithAnotherCallbackUrlIsRefused()
    {
        var request = GspMessages.Redirect(GspMessages.NewId("rr"), Now());
        using var first = Browser();
        await ArriveAsync(first, _redirect.Link(request));
        using var second = Browser();

        using var swapped = await second.GetAsync(_redirect.Link(request, _redirect.Google.CallbackUrl + "&to=elsewhere"));
        var page = await swapped.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)swapped.StatusCode, Is.EqualTo(400));
            Assert.That(swapped.Headers.Location, Is.Null, "never sent to the swapped address");
            Assert.That(page, Does.Contain("CALLBACK_CHANGED"));
        });
    }

    /// <summary>S3-L1: anyone holding the link cannot decline someone else's pending session without signing in.</summary>
    [Test]
    public async Task OnlyTheBrowserThatStartedARedirectMayDeclineItWithoutSigningIn()
    {
        var redirectRequestId = GspMessages.NewId("rr");
        var link = _redirect.Link(GspMessages.Redirect(redirectRequestId, Now()));
        using var owner = Browser();
        var ownerPage = await ArriveAsync(owner, link);
        using var other = Browser();
        var otherPage = await ArriveAsync(other, link);

        using var refused = await PostFormAsync(other, "Decline", otherPage, []);
        var pending = RedirectServer.ResultOf((await _redirect.StatusAsync(redirectRequestId)).Json["result"]);
        using var declined = await PostFormAsync(owner, "Decline", ownerPage, []);

        Assert.Multiple(() =>
        {
            Assert.That((int)refused.StatusCode, Is.EqualTo(403));
            Assert.That(refused.Headers.Location, Is.Null);
            Assert.That(pending, Is.EqualTo("pending"), "the other browser changed nothing");
            Assert.That((int)declined.StatusCode, Is.EqualTo(303));
            Assert.That(_redirect.Open(declined.Headers.Location!).Result, Is.EqualTo("userExitedPaymentFlow"));
        });
    }

    /// <summary>
    /// S3-L2: at Trace, with every framework category on, no passcode, support key, payment token or redirectRequestId
    /// (here the token itself: Google sent no googlePaymentToken) reaches the log, through the redirect page, the
    /// support API and the console.
    /// </summary>
    [Test]
    public async Task NothingSecretReachesTheLogEvenAtTrace()
    {
        await using var server = await RedirectServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__System"] = "Trace",
        });
        var redirectRequestId = GspMessages.NewId("rr-secret");
        using var browser = Browser(server);
        var page = await ArriveAsync(browser, server.Link(GspMessages.Redirect(redirectRequestId, Now())));
        var choice = await SignInAsync(browser, page, TestLedger.Customer, TestLedger.Passcode);
        var handBack = server.Open(await ApproveAsync(browser, choice, "acct-rich"));
        Assert.That(handBack.Result, Is.EqualTo("success"));
        (await server.Server.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), Now(), token: redirectRequestId), server.GoogleSide))
            .AssertStatus(200);

        using var support = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        support.DefaultRequestHeaders.Add("X-API-Key", SupportKey);
        var view = await support.PostAsync("/support/v1/redirects/find", JsonContent.Create(new { redirectRequestId }));
        var reference = JsonNode.Parse(await view.Content.ReadAsStringAsync())!["reference"]!.GetValue<string>();
        Assert.That((int)(await support.GetAsync($"/support/v1/redirects/{reference}")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await support.PostAsync("/support/v1/redirects/find-by-token", JsonContent.Create(new { token = redirectRequestId }))).StatusCode, Is.EqualTo(200));

        using var console = Browser(server);
        var signInPage = await (await console.GetAsync("/console/sign-in")).Content.ReadAsStringAsync();
        using (var signIn = await console.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = SupportKey, ["returnUrl"] = "/console", ["__RequestVerificationToken"] = AntiforgeryToken().Match(signInPage).Groups[1].Value,
        })))
        {
            Assert.That((int)signIn.StatusCode, Is.EqualTo(302));
        }

        var search = await (await console.GetAsync("/console/search")).Content.ReadAsStringAsync();
        foreach (var (handler, field) in new[] { ("Find", "Q"), ("FindByToken", "Token") })
        {
            using var found = await console.PostAsync($"/console/search?handler={handler}", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [field] = redirectRequestId, ["__RequestVerificationToken"] = AntiforgeryToken().Match(search).Groups[1].Value,
            }));
            Assert.That(await found.Content.ReadAsStringAsync(), Does.Contain($"/console/redirects/{reference}"), handler);
        }

        Assert.That((int)(await console.GetAsync($"/console/redirects/{reference}")).StatusCode, Is.EqualTo(200));

        var log = server.Server.Output;
        Assert.That(log, Does.Contain("RedirectIdRequest { RedirectRequestId = *** }"), "the log is at Trace: action arguments are written");
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Not.Contain(redirectRequestId), "the redirectRequestId (the payment token)");
            Assert.That(log, Does.Not.Contain(TestLedger.Passcode), "the passcode");
            Assert.That(log, Does.Not.Contain(SupportKey), "the support key");
        });
    }

    [Test]
    public async Task APostWithoutTheAntiforgeryTokenIsRefused()
    {
        using var browser = Browser();
        await ArriveAsync(browser, _redirect.Link(GspMessages.Redirect(GspMessages.NewId("rr"), Now())));
        using var response = await browser.PostAsync(
            "/redirect-payment-token-v1/redirect?handler=Decline", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(response.Headers.Location, Is.Null);
    }

    private HttpClient Browser(RedirectServer? server = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri((server ?? _redirect).BaseUrl),
        };

    private static async Task<string> ArriveAsync(HttpClient browser, string link)
    {
        using var response = await browser.GetAsync(link);
        var page = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), page);
        return page;
    }

    private static async Task<string> SignInAsync(HttpClient browser, string page, string customerId, string passcode)
    {
        using var response = await PostFormAsync(browser, "SignIn", page, new() { ["CustomerId"] = customerId, ["Passcode"] = passcode });
        var next = await response.Content.ReadAsStringAsync();
        Assert.That(next, Does.Contain("choose the account"), next);
        return next;
    }

    private static async Task<int> SignInStatusAsync(HttpClient browser, string page, string customerId, string passcode)
    {
        using var response = await PostFormAsync(browser, "SignIn", page, new() { ["CustomerId"] = customerId, ["Passcode"] = passcode });
        return (int)response.StatusCode;
    }

    /// <summary>Approves with <paramref name="accountId"/>; returns where the browser is sent (303).</summary>
    private static async Task<Uri> ApproveAsync(HttpClient browser, string page, string accountId)
    {
        using var response = await PostFormAsync(browser, "Approve", page, new() { ["AccountId"] = accountId });
        Assert.That((int)response.StatusCode, Is.EqualTo(303), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!;
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string handler, string page, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value;
        return browser.PostAsync($"/redirect-payment-token-v1/redirect?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private async Task<SupportResponse> SupportAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, $"/support/v1/{path}") { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", SupportKey);
        using var response = await _redirect.Server.Client.SendAsync(request);
        return new SupportResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static string Without(JsonNode node, string field)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove(field);
        return copy.ToJsonString();
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
