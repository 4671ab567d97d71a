using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Xml.Linq;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Conformance;

/// <summary>
/// The conformance kit catches what it claims to: run as integrators run it — the gsp-conformance tool (the kit's own
/// process, options only), or `dotnet test` of its assembly with environment variables — against deliberately broken
/// targets in front of a real server, exactly the checks of the broken rule fail, each saying so and carrying what
/// reproduces it, and every other check passes. (.ci/conformance installs the packed tool and runs it against
/// Integrator itself, plaintext and PGP.)
/// </summary>
[NonParallelizable]
public sealed class ConformanceKitTests
{
    private static readonly string[] Secrets = ["tok-rich", "tok-poor", "tok-closed", "tok-on-hold", "tok-limited"];

    private string _folder = null!;
    private ServerProcess _server = null!;
    private int _googlePort;

    public enum Form
    {
        Tool,
        DotnetTest,
    }

    public static IEnumerable<TestCaseData> Breakages()
    {
        yield return new TestCaseData(Breakage.CachesErrors, Form.DotnetTest, new[] { "An error is never replayed: the same requestId, corrected, is processed afresh" })
            .SetName("A target that caches errors fails only the rule that errors are never replayed (dotnet test form)");
        yield return new TestCaseData(Breakage.ChangesReplays, Form.Tool, new[]
            {
                "A retry of a declined reserveFunds gets the same decline",
                "A retry of a remittance statement gets the same receipt except responseTimestamp",
                "A retry of a successful cancel gets the same body except responseTimestamp",
                "A retry of a successful captureFundsReservation gets the same body except responseTimestamp",
                "A retry of a successful refund gets the same body except responseTimestamp",
                "A retry of a successful reserveFunds gets the same body except responseTimestamp",
                "A statement with fields from a later version (at the top and in the summary) is accepted, and its retry gets the same receipt",
            })
            .SetName("A target whose replay changes a field fails only the replay rules");
        yield return new TestCaseData(Breakage.RunsConcurrentDuplicatesTwice, Form.Tool, new[] { "50 concurrent copies of one reserveFunds reserve once, and every answer is that one" })
            .SetName("A target that runs a concurrent duplicate again fails only the concurrency rule");
        yield return new TestCaseData(Breakage.IgnoresTimestamps, Form.Tool, new[]
            {
                "A requestTimestamp 5 minutes in the future is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE",
                "A requestTimestamp 5 minutes in the past is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE",
            })
            .SetName("A target that ignores requestTimestamp fails only the two skew rules");
        yield return new TestCaseData(Breakage.AnswersUnknownRedirects, Form.Tool, new[] { "The status of an unknown redirectRequestId is refused with 404 INVALID_IDENTIFIER" })
            .SetName("A target that answers the status of an unknown redirect fails only the unknown-redirect rule");
        yield return new TestCaseData(Breakage.AcceptsAnyStatement, Form.Tool, new[] { "Another statement under a used statementId is refused with 412 IDEMPOTENCY_VIOLATION" })
            .SetName("A target that acknowledges another statement under a used statementId fails only the statement-key rule");
        yield return new TestCaseData(Breakage.RefundsAboveTheCapture, Form.Tool, new[] { "A partial refund succeeds, and refunds together never exceed the capture (400 PRECONDITION_VIOLATION)" })
            .SetName("A target that refunds above the capture fails only the refund-limit rule");
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("conformance-").FullName;
        _googlePort = FakeGoogle.FreePort();
        _server = await ServerProcess.StartAsync(ServerProcess.Environment(_folder, new Dictionary<string, string?>
        {
            ["Gsp__PaymentIntegratorAccountIds__1"] = "InvisiCashUSA_Second",
            ["Reservations__Lifetime"] = "00:00:03",
            ["Reservations__SweepInterval"] = "00:00:01",
            ["Google__BaseUrl"] = $"http://127.0.0.1:{_googlePort}/gsp",
            ["Notifications__PollInterval"] = "00:00:00.100",
            ["Notifications__FirstRetryDelay"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
        }));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [TestCaseSource(nameof(Breakages))]
    public async Task TheKitCatchesABrokenTarget(Breakage breakage, Form form, string[] brokenRules)
    {
        await using var target = new BrokenTarget(new Uri($"http://127.0.0.1:{_server.Port}"), breakage);

        var run = await RunKitAsync(target.BaseUrl, form);

        var failed = run.Results.Where(r => r.Outcome == "failure").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Select(r => r.Rule), Is.EquivalentTo(brokenRules), string.Join("\n", failed.Select(f => $"{f.Rule}: {f.Message}")) + run.Output);
            Assert.That(failed.Select(f => f.Message), Has.All.StartsWith("Rule: "), "each failure cites its rule");
            Assert.That(run.Results.Count(r => r.Outcome == "passed"), Is.GreaterThan(30), "the rest of the kit ran and passed");
        });
        if (form == Form.Tool)
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), "a failed rule fails the tool");
            AssertEveryFailureCarriesItsReproduction(run, brokenRules);
            await AssertTheCurlReproducesAsync(run);
        }
    }

    [Test]
    public async Task AgainstAConformingTargetTheToolExitsZeroAndReportsEveryMethod()
    {
        // A redirect left pending, made with the tool's link as Google's part and a plain GET as the customer's browser.
        var baseUrl = $"http://127.0.0.1:{_server.Port}";
        var link = await RunToolAsync(["redirect-link", "--base-url", baseUrl, "--piaid", GspMessages.AccountId, "--security", "plaintext"]);
        var lines = link.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(link.ExitCode, Is.EqualTo(0), link.Errors);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(lines[0])).EnsureSuccessStatusCode();
        }

        var accounts = Path.Combine(_folder, "accounts-" + Guid.NewGuid().ToString("N") + ".json");
        var example = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(Kit)!, "accounts.example.json")))!;
        example["redirects"] = new System.Text.Json.Nodes.JsonObject { ["pending"] = lines[1] };
        await File.WriteAllTextAsync(accounts, example.ToJsonString());

        var run = await RunKitAsync(baseUrl, Form.Tool, "--accounts", accounts);

        var text = await File.ReadAllTextAsync(Path.Combine(run.ReportFolder, "conformance.txt"));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Results.Where(r => r.Outcome == "failure"), Is.Empty);
            Assert.That(
                run.Results.Single(r => r.Rule.StartsWith("The status of a redirect still in progress", StringComparison.Ordinal)).Outcome,
                Is.EqualTo("passed"),
                "the redirect the tool's link opened is pending");
            foreach (var method in new[]
                {
                    "echo", "reserveFunds", "captureFundsReservation", "cancelFundsReservation", "refund", "remittanceStatementNotification",
                    "getGeneratePaymentTokenRedirectStatus", "cancelFundsReservationResultNotification",
                })
            {
                Assert.That(text, Does.Match($"(?m)^{method} +[0-9]+ +[0-9]+ +0 +[0-9]+$"), $"the methods × rules table has a row for {method}");
            }

            Assert.That(text, Does.Contain("Could not be checked: the accounts file names no success redirect"), "a skipped rule says why");
            Assert.That(run.Output, Does.Contain("rules: "), "the tool prints the table");
        });
    }

    [Test]
    public async Task ABaseUrlWithAPathIsThePrefixOfTheRoutes()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "prefixed-" + Guid.NewGuid().ToString("N"))).FullName;
        await using var prefixed = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
        {
            ["Gsp__BasePath"] = "/gsp",
            ["Logging__LogLevel__Default"] = "Warning",
        }));
        var report = Path.Combine(folder, "report");

        var run = WithResults(
            await RunToolAsync(["--base-url", $"http://127.0.0.1:{prefixed.Port}/gsp/", "--piaid", GspMessages.AccountId, "--security", "plaintext", "--report-dir", report]),
            report);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Results.Count(r => r.Outcome == "passed"), Is.GreaterThan(30), "the checks reached the routes under /gsp");
        });
    }

    [TestCase("--security", "ssl", TestName = "An option outside its values is refused with exit code 2")]
    [TestCase("--base-url", "not a url", TestName = "A base URL that is not one is refused with exit code 2")]
    [TestCase("--notification-port", "70000", TestName = "A port out of range is refused with exit code 2")]
    public async Task OptionsThatCannotDescribeATargetAreRefused(string option, string value)
    {
        var run = await RunToolAsync(["--base-url", $"http://127.0.0.1:{_server.Port}", "--piaid", GspMessages.AccountId, "--security", "plaintext", option, value]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Errors, Does.Contain(option.TrimStart('-')).Or.Contain(value), "the error names what is wrong");
        });
    }

    private static void AssertEveryFailureCarriesItsReproduction(KitRun run, string[] brokenRules)
    {
        var html = File.ReadAllText(Path.Combine(run.ReportFolder, "conformance.html"));
        var junit = File.ReadAllText(Path.Combine(run.ReportFolder, "conformance.junit.xml"));
        var failures = XDocument.Parse(junit).Descendants("failure").ToList();
        Assert.Multiple(() =>
        {
            foreach (var rule in brokenRules)
            {
                Assert.That(html, Does.Contain(System.Net.WebUtility.HtmlEncode(rule)), $"the HTML report names {rule}");
            }

            Assert.That(failures.Select(f => f.Value), Has.All.Contains("curl -sS -i -X POST 'http://127.0.0.1:").And.All.Contains("answer: "), "every JUnit failure carries its exchanges and curl");
            Assert.That(html, Does.Contain("Reproduce:").And.Contain("$(date +%s%3N)"), "the HTML carries a curl per request, its timestamp made at run time");
            Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("<link").And.Not.Contain(" src="), "the HTML report is self-contained");
            foreach (var secret in Secrets)
            {
                Assert.That(html + junit, Does.Not.Contain(secret), "tokens are masked");
            }
        });
    }

    /// <summary>
    /// The last request of the first failure, sent again by its curl command from the JUnit report (tokens from the
    /// shell's variables, as the report says), is answered as it was during the run.
    /// </summary>
    private static async Task AssertTheCurlReproducesAsync(KitRun run)
    {
        var failure = XDocument.Load(Path.Combine(run.ReportFolder, "conformance.junit.xml")).Descendants("failure").First().Value;
        var last = failure.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Last(block => block.Contains("curl ", StringComparison.Ordinal));
        var recorded = System.Text.RegularExpressions.Regex.Match(last, @"→ HTTP (\d{3})").Groups[1].Value;
        Assert.That(recorded, Is.Not.Empty, last);
        var curl = last[last.IndexOf("curl ", StringComparison.Ordinal)..];
        var again = await RunAsync(new ProcessStartInfo("bash", ["-c", curl])
        {
            Environment = { ["FUNDED_TOKEN"] = "tok-rich", ["INSUFFICIENT_FUNDS_TOKEN"] = "tok-poor", ["CLOSED_TOKEN"] = "tok-closed" },
        });
        Assert.That(again.Output, Does.StartWith($"HTTP/1.1 {recorded}"), $"{curl}\n{again.Output}{again.Errors}");
    }

    private async Task<KitRun> RunKitAsync(string baseUrl, Form form, params string[] more)
    {
        var report = Path.Combine(_folder, "report-" + Guid.NewGuid().ToString("N"));
        var port = _googlePort.ToString(CultureInfo.InvariantCulture);
        var run = form == Form.Tool
            ? await RunToolAsync(
                [
                    "--base-url", baseUrl, "--piaid", GspMessages.AccountId, "--piaid", "InvisiCashUSA_Second", "--security", "plaintext",
                    "--notification-port", port, "--reservation-lifetime", "00:00:03", "--report-dir", report, .. more,
                ])
            : await RunAsync(new ProcessStartInfo("dotnet", ["test", Kit])
            {
                Environment =
                {
                    ["CONFORMANCE_BASE_URL"] = baseUrl,
                    ["CONFORMANCE_PIAIDS"] = $"{GspMessages.AccountId},InvisiCashUSA_Second",
                    ["CONFORMANCE_SECURITY"] = "plaintext",
                    ["CONFORMANCE_NOTIFICATION_PORT"] = port,
                    ["CONFORMANCE_RESERVATION_LIFETIME"] = "00:00:03",
                    ["CONFORMANCE_REPORT_DIR"] = report,
                },
            });
        return WithResults(run, report);
    }

    private static KitRun WithResults(KitRun run, string report)
    {
        var junit = Path.Combine(report, "conformance.junit.xml");
        Assert.That(File.Exists(junit), Is.True, $"the kit wrote its report:\n{run.Output}\n{run.Errors}");
        return run with
        {
            ReportFolder = report,
            Results = [.. XDocument.Load(junit).Descendants("testcase").Select(c => (
                c.Attribute("name")!.Value,
                c.Element("failure") is not null ? "failure" : c.Element("skipped") is not null ? "skipped" : "passed",
                c.Element("failure")?.Attribute("message")?.Value))],
        };
    }

    /// <summary>gsp-conformance as the package installs it: the kit's assembly run by dotnet with options only.</summary>
    private static Task<KitRun> RunToolAsync(string[] options) =>
        RunAsync(new ProcessStartInfo("dotnet", [Kit, .. options]) { Environment = { ["CONFORMANCE_BASE_URL"] = null } });

    private static string Kit =>
        Path.GetFullPath(typeof(ConformanceKitTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConformanceKit").Value!);

    private static async Task<KitRun> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new KitRun(process.ExitCode, await output, await errors, string.Empty, []);
    }

    private sealed record KitRun(int ExitCode, string Output, string Errors, string ReportFolder, IReadOnlyList<(string Rule, string Outcome, string? Message)> Results);
}
