using System.Net;
using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.SupportConsole;

/// <summary>
/// The console as a bank's support desk uses it, starting from the customer (README "Support console"): find a hold
/// from the customer's name, their account or a date range; follow the links between pages; export a filtered list.
/// Real browser, real server.
/// </summary>
[NonParallelizable]
public sealed partial class ConsoleCustomerDeskTests
{
    private const string OperatorKey = "dev-support-key-not-for-production";

    private string _folder = null!;
    private ServerProcess _server = null!;
    private Chromium? _chromium;

    private string BaseUrl => $"http://127.0.0.1:{_server.Port}";

    private IBrowser Browser => _chromium!.Browser;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("console-desk-").FullName;
        _server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" }));
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
    public async Task AHoldIsFoundFromTheCustomersNameAloneThenFromTheAccountAndADateRange()
    {
        var reservation = await ReserveAsync("tok-rich", 25_000_000);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);

        // "Mrs Lovelace says a Google purchase is still holding 25 USD."
        await page.GetByRole(AriaRole.Link, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel("Any id").FillAsync("lovelace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Ada Lovelace" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/reservations\\?customer=cust-ada$"));
        var row = page.Locator("tbody tr").Filter(new() { HasText = reservation });
        await Assertions.Expect(row).ToContainTextAsync("25.00 USD");
        await Assertions.Expect(row).ToContainTextAsync("RESERVED");

        // Her account's page: the hold among the open ones, and the way to every reservation on it.
        await row.GetByRole(AriaRole.Link, new() { Name = "acct-rich" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Account acct-rich" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".facts")).ToContainTextAsync("Ada Lovelace (cust-ada)");
        await Assertions.Expect(page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Open holds" }) })).ToContainTextAsync(reservation);
        await page.GetByRole(AriaRole.Link, new() { Name = "Every reservation on this account" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync(reservation);

        // A date range: today finds it, tomorrow does not.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GetByLabel("Made on or after").FillAsync(today);
        await page.GetByLabel("Made on or before").FillAsync(today);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync(reservation);
        await page.GetByLabel("Made on or after").FillAsync(tomorrow);
        await page.GetByLabel("Made on or before").FillAsync(tomorrow);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("No reservation matches.");

        // The reservation's own page links back to the account and to each of Google's requests.
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
        await page.GetByRole(AriaRole.Link, new() { Name = reservation, Exact = true }).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/requests/InvisiCashUSA_USD/{Regex.Escape(reservation)}$"));
    }

    [Test]
    public async Task AFilteredListIsExportedAsCsvAndReadsBack()
    {
        var small = await ReserveAsync("tok-rich", 1_500_000);
        var large = await ReserveAsync("tok-rich", 40_000_000);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);
        await page.GotoAsync($"{BaseUrl}/console/reservations?account=acct-rich&minAmount=1&maxAmount=2");
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync(small);
        await Assertions.Expect(page.Locator("tbody")).Not.ToContainTextAsync(large);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export these as CSV" }).ClickAsync());
        var path = await download.PathAsync();
        var lines = await File.ReadAllLinesAsync(path!);

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Does.StartWith("reserveFundsRequestId,paymentIntegratorTransactionId,paymentIntegratorAccountId,accountId,customerId,customerName,amount,currency,state"));
            var row = lines.Single(l => l.StartsWith(small + ",", StringComparison.Ordinal)).Split(',');
            Assert.That(row[3..9], Is.EqualTo(new[] { "acct-rich", "cust-ada", "Ada Lovelace", "1.50", "USD", "RESERVED" }));
            Assert.That(lines.Any(l => l.StartsWith(large, StringComparison.Ordinal)), Is.False, "only what the filters let through");
            Assert.That(lines.Skip(1).All(l => l.Contains(",acct-rich,", StringComparison.Ordinal)), "every row is the account's");
        });
        var audit = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit?limit=50") { Headers = { { "X-API-Key", OperatorKey } } });
        Assert.That(await audit.Content.ReadAsStringAsync(), Does.Contain("export reservations"), "an export of customer data is audited");
    }

    [Test]
    public async Task ABadFilterIsExplainedAndAnOverviewTileLeadsToItsList()
    {
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);
        var bad = await page.GotoAsync($"{BaseUrl}/console/reservations?minAmount=5&maxAmount=1");
        Assert.That(bad!.Status, Is.EqualTo((int)HttpStatusCode.BadRequest));
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("smallest first");
        var junk = await page.GotoAsync($"{BaseUrl}/console/reservations?from=yesterday");
        Assert.That(junk!.Status, Is.EqualTo((int)HttpStatusCode.BadRequest));

        await page.GotoAsync($"{BaseUrl}/console");
        await page.GetByRole(AriaRole.Link, new() { Name = "notifications DEAD" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/notifications\\?status=DEAD$"));
        await Assertions.Expect(page.GetByLabel("Status")).ToHaveValueAsync("DEAD");
    }

    [Test]
    public async Task TheAuditIsFilteredByPersonActionChannelObjectAndDayAndReadsStayApartUntilAskedFor()
    {
        var reservation = await ReserveAsync("tok-rich", 1_000_000);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);
        await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}/release");
        await page.GetByLabel("Why").FillAsync("Audit filter check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Release hold" }).ClickAsync();
        await Assertions.Expect(page.Locator(".state")).ToHaveTextAsync("CANCELLED"); // the page read is audited too

        await page.GotoAsync($"{BaseUrl}/console/audit?target={reservation}");
        var rows = page.Locator("tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = "Audit filter check" })).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Filter(new() { HasText = "read reservation" })).ToHaveCountAsync(0);
        await page.GetByLabel("Include page reads").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "read reservation" }).First).ToBeVisibleAsync();

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (query, found) in new[]
        {
            ($"target={reservation}&person=dev-support&action=release&channel=console&from={today}&until={today}", true),
            ($"target={reservation}&person=someone-else", false),
            ($"target={reservation}&channel=api", false),
            ($"target={reservation}&action=release&from={tomorrow}&until={tomorrow}", false),
        })
        {
            await page.GotoAsync($"{BaseUrl}/console/audit?{query}");
            if (found)
            {
                await Assertions.Expect(rows.Filter(new() { HasText = "Audit filter check" })).ToHaveCountAsync(1);
            }
            else
            {
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("No entry matches.");
            }
        }

        var violations = new List<string>();
        await Accessibility.ScanAsync(page, "audit", violations);
        Assert.That(violations, Is.Empty);
    }

    [Test]
    public async Task ANotificationLeadsToItsReservationAndARequestsReplayAnswersAtTheTop()
    {
        var reservation = await ReserveAsync("tok-rich", 4_000_000);
        var cancelId = GspMessages.NewId("cancel");
        (await _server.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), reservation))).AssertStatus(200);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);

        await page.GotoAsync($"{BaseUrl}/console/notifications");
        await page.Locator("tbody tr").Filter(new() { HasText = cancelId }).GetByRole(AriaRole.Link, new() { Name = reservation }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Reservation {reservation}" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = cancelId }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        var answer = page.Locator("#outcome");
        await Assertions.Expect(answer).ToContainTextAsync("What Google would get: HTTP 200");
        Assert.Multiple(async () =>
        {
            Assert.That(await page.EvaluateAsync<bool>("document.activeElement?.id === 'outcome'"), "the focus is on the answer");
            Assert.That(await answer.EvaluateAsync<double>("e => e.getBoundingClientRect().top"), Is.LessThan(400), "at the top, not below the journal");
        });
    }

    [Test]
    public async Task ARefusedRefundShowsOnItsReservationsPage()
    {
        var reservation = await ReserveAsync("tok-rich", 3_000_000);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var captureId = GspMessages.NewId("capture");
        (await _server.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, now, reservation, 3_000_000))).AssertStatus(200);
        var tooMuch = GspMessages.NewId("refund");
        (await _server.PostAsync("refund", GspMessages.Refund(tooMuch, now, captureId, 5_000_000))).AssertStatus(400);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);

        // Refusals reach the journal in the background (within a second or so).
        await Eventually.TrueAsync(
            async () =>
            {
                await page.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{reservation}");
                return await page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Google's requests" }) })
                    .Locator("tr", new() { HasText = tooMuch }).CountAsync() == 1;
            },
            "the refused refund listed with the reservation's requests");
        var row = page.Locator("tr", new() { HasText = tooMuch });
        await Assertions.Expect(row).ToContainTextAsync("refund");
        await Assertions.Expect(row).ToContainTextAsync("PRECONDITION_VIOLATION");
    }

    [Test]
    public async Task TheNewPagesHaveNoSeriousOrCriticalAccessibilityViolation()
    {
        await ReserveAsync("tok-rich", 2_000_000);
        var page = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, OperatorKey);
        var violations = new List<string>();
        foreach (var path in new[] { "/console/reservations", "/console/reservations?customer=cust-ada&state=RESERVED", "/console/accounts/acct-rich" })
        {
            await page.GotoAsync(BaseUrl + path);
            await Accessibility.ScanAsync(page, path, violations);
        }

        await page.GotoAsync($"{BaseUrl}/console/accounts/acct-rich");
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console-account.png"), FullPage = true });
        Assert.That(violations, Is.Empty);
    }

    private async Task<string> ReserveAsync(string token, long amountMicros)
    {
        var requestId = GspMessages.NewId("reserve");
        (await _server.PostAsync("reserveFunds", GspMessages.Reserve(requestId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), amountMicros, token))).AssertStatus(200);
        return requestId;
    }
}
