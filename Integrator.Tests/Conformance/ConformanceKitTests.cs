using System.Diagnostics;
using System.Reflection;
using System.Xml.Linq;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Conformance;

/// <summary>
/// The conformance kit catches what it claims to: run as a client (its own process, `dotnet test` of its assembly)
/// against deliberately broken targets in front of a real server, exactly the checks of the broken rule fail, each
/// saying so, and every other check passes. (.ci/conformance runs it against Integrator itself, plaintext and PGP.)
/// </summary>
[NonParallelizable]
public sealed class ConformanceKitTests
{
    private string _folder = null!;
    private ServerProcess _server = null!;
    private int _googlePort;

    public static IEnumerable<TestCaseData> Breakages()
    {
        yield return new TestCaseData(Breakage.CachesErrors, new[] { "An error is never replayed: the same requestId, corrected, is processed afresh" })
            .SetName("A target that caches errors fails only the rule that errors are never replayed");
        yield return new TestCaseData(Breakage.ChangesReplays, new[]
            {
                "A retry of a declined reserveFunds gets the same decline",
                "A retry of a successful cancel gets the same body except responseTimestamp",
                "A retry of a successful captureFundsReservation gets the same body except responseTimestamp",
                "A retry of a successful refund gets the same body except responseTimestamp",
                "A retry of a successful reserveFunds gets the same body except responseTimestamp",
            })
            .SetName("A target whose replay changes a field fails only the replay rules");
        yield return new TestCaseData(Breakage.RunsConcurrentDuplicatesTwice, new[] { "50 concurrent copies of one reserveFunds reserve once, and every answer is that one" })
            .SetName("A target that runs a concurrent duplicate again fails only the concurrency rule");
        yield return new TestCaseData(Breakage.IgnoresTimestamps, new[]
            {
                "A requestTimestamp 5 minutes in the future is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE",
                "A requestTimestamp 5 minutes in the past is refused with 400 REQUEST_TIMESTAMP_OUT_OF_RANGE",
            })
            .SetName("A target that ignores requestTimestamp fails only the two skew rules");
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
    public async Task TheKitCatchesABrokenTarget(Breakage breakage, string[] brokenRules)
    {
        await using var target = new BrokenTarget(new Uri($"http://127.0.0.1:{_server.Port}"), breakage);

        var results = await RunKitAsync(target.BaseUrl);

        var failed = results.Where(r => r.Outcome == "failure").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Select(r => r.Rule), Is.EquivalentTo(brokenRules), string.Join("\n", failed.Select(f => $"{f.Rule}: {f.Message}")));
            Assert.That(failed.Select(f => f.Message), Has.All.StartsWith("Rule: "), "each failure cites its rule");
            Assert.That(results.Count(r => r.Outcome == "passed"), Is.GreaterThan(30), "the rest of the kit ran and passed");
        });
    }

    private async Task<IReadOnlyList<(string Rule, string Outcome, string? Message)>> RunKitAsync(string baseUrl)
    {
        var report = Path.Combine(_folder, "report-" + Guid.NewGuid().ToString("N"));
        var kit = typeof(ConformanceKitTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConformanceKit").Value!;
        var start = new ProcessStartInfo("dotnet", ["test", Path.GetFullPath(kit)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["CONFORMANCE_BASE_URL"] = baseUrl,
                ["CONFORMANCE_PIAIDS"] = $"{GspMessages.AccountId},InvisiCashUSA_Second",
                ["CONFORMANCE_SECURITY"] = "plaintext",
                ["CONFORMANCE_NOTIFICATION_PORT"] = _googlePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CONFORMANCE_RESERVATION_LIFETIME"] = "00:00:03",
                ["CONFORMANCE_REPORT_DIR"] = report,
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var junit = Path.Combine(report, "conformance.junit.xml");
        Assert.That(File.Exists(junit), Is.True, $"the kit wrote its report:\n{await output}\n{await errors}");
        return [.. XDocument.Load(junit).Descendants("testcase").Select(c => (
            c.Attribute("name")!.Value,
            c.Element("failure") is not null ? "failure" : c.Element("skipped") is not null ? "skipped" : "passed",
            c.Element("failure")?.Attribute("message")?.Value))];
    }
}
