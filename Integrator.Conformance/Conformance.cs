using System.Collections.Concurrent;
using System.Text;
using System.Xml.Linq;
using NUnit.Framework.Interfaces;

namespace Integrator.Conformance;

/// <summary>
/// The run: one client and one Google endpoint for every check, and at the end the report — a table of rules with
/// pass/fail and a one-line reason, printed and written as <c>conformance.txt</c> and JUnit XML
/// (<c>conformance.junit.xml</c>) in <c>CONFORMANCE_REPORT_DIR</c> (TRX: <c>dotnet test --logger trx</c>).
/// </summary>
[SetUpFixture]
public sealed class Conformance
{
    private static readonly ConcurrentQueue<(string Rule, string Outcome, string Reason)> Results = new();
    private static GspClient? _client;
    private static GoogleEndpoint? _google;

    public static GspClient Client => _client ?? throw new IgnoreException($"No target: set {Target.Prefix}BASE_URL.");

    /// <summary>The kit's Google endpoint; a check that needs it is skipped without CONFORMANCE_NOTIFICATION_PORT.</summary>
    public static GoogleEndpoint Google => _google
        ?? throw new IgnoreException($"Notifications are not checked: set {Target.Prefix}NOTIFICATION_PORT and point the target's Google base URL at it.");

    [OneTimeSetUp]
    public void Start()
    {
        try
        {
            var target = Target.Current;
            _client = new GspClient(target);
            _google = target.NotificationPort is { } port ? new GoogleEndpoint(target, port) : null;
        }
        catch (IgnoreException)
        {
            // No target: every check says so.
        }
    }

    [OneTimeTearDown]
    public void Report()
    {
        _client?.Dispose();
        _google?.Dispose();
        var results = Results.OrderBy(r => r.Rule, StringComparer.Ordinal).ToList();
        var width = Math.Min(100, results.Select(r => r.Rule.Length).DefaultIfEmpty(4).Max());
        var table = new StringBuilder().AppendLine($"{"Rule".PadRight(width)}  {"Result",-6}  Reason");
        foreach (var (rule, outcome, reason) in results)
        {
            table.AppendLine($"{rule.PadRight(width)}  {outcome,-6}  {reason}");
        }

        table.AppendLine($"{results.Count(r => r.Outcome == "pass")} passed, {results.Count(r => r.Outcome == "FAIL")} failed, {results.Count(r => r.Outcome == "skip")} skipped");
        Directory.CreateDirectory(Target.ReportFolder);
        File.WriteAllText(Path.Combine(Target.ReportFolder, "conformance.txt"), table.ToString());
        TestContext.Progress.WriteLine(table.ToString());
        new XDocument(new XElement(
                "testsuites",
                new XElement(
                    "testsuite",
                    new XAttribute("name", "GSP redirect-payment-token-v1 conformance"),
                    new XAttribute("tests", results.Count),
                    new XAttribute("failures", results.Count(r => r.Outcome == "FAIL")),
                    new XAttribute("skipped", results.Count(r => r.Outcome == "skip")),
                    results.Select(r => new XElement(
                        "testcase",
                        new XAttribute("classname", "conformance"),
                        new XAttribute("name", r.Rule),
                        r.Outcome switch
                        {
                            "FAIL" => new XElement("failure", new XAttribute("message", r.Reason)),
                            "skip" => new XElement("skipped", new XAttribute("message", r.Reason)),
                            _ => null,
                        })))))
            .Save(Path.Combine(Target.ReportFolder, "conformance.junit.xml"));
    }

    /// <summary>Called after each check with its rule and NUnit's verdict.</summary>
    public static void Record(string rule, ResultState state, string? message)
    {
        var outcome = state.Status switch
        {
            TestStatus.Passed => "pass",
            TestStatus.Failed => "FAIL",
            _ => "skip",
        };
        var reason = (message ?? string.Empty).ReplaceLineEndings(" ").Trim();
        Results.Enqueue((rule, outcome, reason.Length > 200 ? reason[..200] + "…" : reason));
    }
}
