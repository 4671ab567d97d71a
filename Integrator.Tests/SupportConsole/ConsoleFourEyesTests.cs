using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Integrator.Tests.SupportConsole;

/// <summary>
/// Four eyes on money decisions (<c>Console:FourEyes</c>): one Operator proposes with a reason, a different one approves
/// or rejects; nobody approves their own, a Viewer decides nothing, and the direct action is refused on the support API
/// too. Real browser, real server, three people.
/// </summary>
[NonParallelizable]
public sealed class ConsoleFourEyesTests
{
    private const string AdaKey = "four-eyes-ada-key-0123456789abcdef";
    private const string GraceKey = "four-eyes-grace-key-0123456789abcdef";
    private const string ViewerKey = "four-eyes-viewer-key-0123456789abcdef";

    private string _folder = null!;
    private ServerProcess _server = null!;
    private Chromium? _chromium;

    private string BaseUrl => $"http://127.0.0.1:{_server.Port}";

    private IBrowser Browser => _chromium!.Browser;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("console-four-eyes-").FullName;
        _server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Support__ApiKeys__0__Name"] = "Ada",
            ["Support__ApiKeys__0__Key"] = AdaKey,
            ["Support__ApiKeys__1__Name"] = "Grace",
            ["Support__ApiKeys__1__Key"] = GraceKey,
            ["Support__ApiKeys__2__Name"] = "Vera",
            ["Support__ApiKeys__2__Key"] = ViewerKey,
            ["Support__ApiKeys__2__Role"] = "Viewer",
            ["Console__FourEyes__AcceptDiscrepancy"] = "true",
            ["Console__FourEyes__ReleaseAbove"] = "100",
            ["Remittance__PollInterval"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
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
    public async Task ADiscrepancyIsAcceptedOnlyAfterASecondPersonApprovesIt()
    {
        var statementId = await DiscrepancyAsync(totalDueMicros: 2_000_000);
        var ada = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, AdaKey);

        // The confirmation page states the money: Google's total, ours, the difference.
        await ada.GotoAsync($"{BaseUrl}/console/statements/InvisiCashUSA_USD/{statementId}");
        await ada.GetByRole(AriaRole.Link, new() { Name = "Accept statement…" }).ClickAsync();
        var totals = ada.Locator(".totals");
        await Assertions.Expect(totals).ToContainTextAsync("Google's total due by us 2.00 USD");
        await Assertions.Expect(totals).ToContainTextAsync("Ours (captures less refunds in the period) 0.00 USD");
        await Assertions.Expect(totals).ToContainTextAsync("Difference (Google's less ours) 2.00 USD");
        var violations = new List<string>();
        await Accessibility.ScanAsync(ada, "accept confirmation", violations);

        // Ada proposes; nothing is accepted yet, and she cannot approve her own proposal.
        await ada.GetByLabel("Why (kept in the audit trail)").FillAsync("Google's account manager confirmed the fee");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Propose acceptance" }).ClickAsync();
        await Assertions.Expect(ada.GetByRole(AriaRole.Status)).ToContainTextAsync("Waiting for a second Operator");
        await Assertions.Expect(ada.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Accessibility.ScanAsync(ada, "proposal", violations);
        var proposalUrl = ada.Url;
        var own = await ada.Context.APIRequest.PostAsync($"{proposalUrl}?handler=Approve", new()
        {
            Form = ConsoleBrowser.Form(ada.Context.APIRequest, ("__RequestVerificationToken", await ConsoleBrowser.AntiforgeryTokenAsync(ada))),
            MaxRedirects = 0,
        });
        Assert.That(own.Status, Is.EqualTo(409), "a proposer never approves their own");
        Assert.That(await StatementAsync(statementId), Is.EqualTo(("DISCREPANCY", false)), "nothing accepted on one person's word");
        var direct = await SupportAsync(HttpMethod.Post, $"statements/InvisiCashUSA_USD/{statementId}/accept", AdaKey, new JsonObject { ["reason"] = "around the console" });
        Assert.That(direct, Is.EqualTo(409), "the support API refuses the direct acceptance too");

        // A Viewer sees it but cannot decide it.
        var vera = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, ViewerKey);
        await vera.GotoAsync(proposalUrl);
        await Assertions.Expect(vera.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        var forged = await vera.Context.APIRequest.PostAsync($"{proposalUrl}?handler=Approve", new()
        {
            Form = ConsoleBrowser.Form(vera.Context.APIRequest, ("__RequestVerificationToken", await ConsoleBrowser.AntiforgeryTokenAsync(vera))),
            MaxRedirects = 0,
        });
        Assert.That(forged.Headers["location"], Does.Contain("/console/denied"));

        // Grace finds it on the overview and approves: now it is accepted, in her name, with Ada's reason.
        var grace = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, GraceKey);
        await Accessibility.ScanAsync(grace, "overview with a proposal", violations);
        await grace.Locator("section", new() { Has = grace.GetByRole(AriaRole.Heading, new() { Name = "Waiting for a second person" }) })
            .GetByRole(AriaRole.Link, new() { Name = $"Accept statement {statementId}" }).ClickAsync();
        await grace.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(grace.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved by Grace and carried out.");
        await Eventually.TrueAsync(async () => (await StatementAsync(statementId)).Status == "ACCEPTED", "accepted with Google", TimeSpan.FromSeconds(20));

        var audit = await AuditAsync();
        Assert.Multiple(() =>
        {
            Assert.That(audit.Any(a => a.Actor == "Ada" && a.Action == "propose accept-discrepancy"));
            Assert.That(audit.Any(a => a.Actor == "Ada" && a.Action == "approve accept-discrepancy" && a.Outcome == "refused: own proposal"));
            Assert.That(audit.Any(a => a.Actor == "Grace" && a.Action == "approve accept-discrepancy" && a.Outcome == "carried out"));
            Assert.That(audit.Any(a => a.Actor == "Grace" && a.Action == "accept statement" && a.Outcome == "acceptance requested"));
            Assert.That(violations, Is.Empty);
        });
    }

    [Test]
    public async Task AReleaseAboveTheLimitWaitsForASecondPersonAndARejectionChangesNothing()
    {
        var large = await ReserveAsync(300_000_000);
        var small = await ReserveAsync(3_000_000);
        var ada = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, AdaKey);

        await ada.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{large}/release");
        await ada.GetByLabel("Why").FillAsync("Customer cancelled by phone");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Propose release" }).ClickAsync();
        await Assertions.Expect(ada.Locator(".summary")).ToHaveTextAsync($"Release the hold of 300.00 USD on account acct-rich (reservation {large}).");
        var proposalUrl = ada.Url;
        Assert.That(await SupportAsync(HttpMethod.Post, $"reservations/InvisiCashUSA_USD/{large}/release", GraceKey, new JsonObject { ["reason"] = "around the console" }), Is.EqualTo(409));

        var grace = await ConsoleBrowser.SignedInPageAsync(Browser, BaseUrl, GraceKey);
        await grace.GotoAsync(proposalUrl);
        await grace.GetByLabel("Why reject it").FillAsync("The customer called back: keep it");
        await grace.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(grace.GetByRole(AriaRole.Status)).ToContainTextAsync("Rejected by Grace");
        await grace.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{large}");
        await Assertions.Expect(grace.Locator(".state")).ToHaveTextAsync("RESERVED");

        // Below the limit one person suffices.
        await ada.GotoAsync($"{BaseUrl}/console/reservations/InvisiCashUSA_USD/{small}/release");
        await ada.GetByLabel("Why").FillAsync("Duplicate order");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Release hold" }).ClickAsync();
        await Assertions.Expect(ada.Locator(".state")).ToHaveTextAsync("CANCELLED");
    }

    private async Task<string> DiscrepancyAsync(long totalDueMicros)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var statementId = GspMessages.NewId("statement");
        (await _server.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, now, now - 1, now, totalDueMicros))).AssertStatus(200);
        await Eventually.TrueAsync(async () => (await StatementAsync(statementId)).Status == "DISCREPANCY", "reconciled as a discrepancy", TimeSpan.FromSeconds(20));
        return statementId;
    }

    private async Task<string> ReserveAsync(long amountMicros)
    {
        var requestId = GspMessages.NewId("reserve");
        (await _server.PostAsync("reserveFunds", GspMessages.Reserve(requestId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), amountMicros, "tok-rich"))).AssertStatus(200);
        return requestId;
    }

    private async Task<(string Status, bool AcceptancePending)> StatementAsync(string statementId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/support/v1/statements/InvisiCashUSA_USD/{statementId}");
        request.Headers.Add("X-API-Key", AdaKey);
        var body = JsonNode.Parse(await (await _server.Client.SendAsync(request)).Content.ReadAsStringAsync())!;
        var statement = body["statement"] ?? body;
        return (statement["status"]!.GetValue<string>(), statement["acceptancePending"]?.GetValue<bool>() ?? false);
    }

    private async Task<int> SupportAsync(HttpMethod method, string path, string key, JsonObject body)
    {
        using var request = new HttpRequestMessage(method, $"/support/v1/{path}") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", key);
        return (int)(await _server.Client.SendAsync(request)).StatusCode;
    }

    private async Task<List<(string Actor, string Action, string Outcome)>> AuditAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/audit?limit=500");
        request.Headers.Add("X-API-Key", AdaKey);
        return JsonNode.Parse(await (await _server.Client.SendAsync(request)).Content.ReadAsStringAsync())!.AsArray()
            .Select(a => (a!["actor"]!.GetValue<string>(), a["action"]!.GetValue<string>(), a["outcome"]!.GetValue<string>()))
            .ToList();
    }
}
