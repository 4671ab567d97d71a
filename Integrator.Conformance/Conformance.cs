using System.Collections.Concurrent;
using NUnit.Framework.Interfaces;

namespace Integrator.Conformance;

/// <summary>
/// The run: one client and one Google endpoint for every check, what each check sent and received, and at the end the
/// report (<see cref="Report"/>) — printed, and written to <c>CONFORMANCE_REPORT_DIR</c> as <c>conformance.txt</c>,
/// <c>conformance.junit.xml</c> and <c>conformance.html</c>.
/// </summary>
[SetUpFixture]
public sealed class Conformance
{
    /// <summary>Exchanges kept per check: enough to reproduce any rule; the concurrency check sends 50.</summary>
    public const int ExchangesKept = 12;

    private static readonly ConcurrentQueue<RuleResult> Results = new();
    private static readonly ConcurrentDictionary<string, ExchangeLog> Logs = new(StringComparer.Ordinal);
    private static GspClient? _client;
    private static GoogleEndpoint? _google;
    private static DateTimeOffset _started;

    public static GspClient Client => _client ?? throw new IgnoreException($"No target: set {Target.Prefix}BASE_URL.");

    /// <summary>The kit's Google endpoint; a check that needs it is skipped without CONFORMANCE_NOTIFICATION_PORT.</summary>
    public static GoogleEndpoint Google => _google
        ?? throw new IgnoreException($"Notifications are not checked: set {Target.Prefix}NOTIFICATION_PORT and point the target's Google base URL at it.");

    [OneTimeSetUp]
    public void Start()
    {
        _started = DateTimeOffset.UtcNow;
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
    public void Finish()
    {
        _client?.Dispose();
        _google?.Dispose();
        var report = new Report([.. Results.OrderBy(r => r.Rule, StringComparer.Ordinal)], Target.Describe(), _started);
        var text = report.Text();
        Directory.CreateDirectory(Target.ReportFolder);
        File.WriteAllText(Path.Combine(Target.ReportFolder, "conformance.txt"), text);
        report.JUnit().Save(Path.Combine(Target.ReportFolder, "conformance.junit.xml"));
        File.WriteAllText(Path.Combine(Target.ReportFolder, "conformance.html"), report.Html());
        TestContext.Progress.WriteLine(text);
    }

    /// <summary>Keeps one exchange of the running check for its report row.</summary>
    public static void Log(Exchange exchange) =>
        Logs.GetOrAdd(TestContext.CurrentContext.Test.ID, _ => new ExchangeLog()).Add(exchange);

    /// <summary>Called after each check with its rule, the methods it exercised and NUnit's verdict.</summary>
    public static void Record(string rule, IReadOnlyList<string> methods, ResultState state, string? message)
    {
        var outcome = state.Status switch
        {
            TestStatus.Passed => RuleOutcome.Pass,
            TestStatus.Failed => RuleOutcome.Fail,
            _ => RuleOutcome.Skip,
        };
        var mask = Target.Masking;
        var reason = mask((message ?? string.Empty).ReplaceLineEndings(" ").Trim());
        Logs.TryRemove(TestContext.CurrentContext.Test.ID, out var log);
        var exchanges = log?.Exchanges.Select(e => e with { Request = mask(e.Request), Answer = mask(e.Answer) }).ToList() ?? [];
        Results.Enqueue(new RuleResult(rule, methods, outcome, reason.Length > 300 ? reason[..300] + "…" : reason, exchanges, log?.Omitted ?? 0));
    }

    private sealed class ExchangeLog
    {
        private readonly List<Exchange> _exchanges = [];

        public int Omitted { get; private set; }

        public IReadOnlyList<Exchange> Exchanges
        {
            get
            {
                lock (_exchanges)
                {
                    return [.. _exchanges.OrderBy(e => e.SentAt)];
                }
            }
        }

        public void Add(Exchange exchange)
        {
            lock (_exchanges)
            {
                if (_exchanges.Count < ExchangesKept)
                {
                    _exchanges.Add(exchange);
                }
                else
                {
                    Omitted++;
                }
            }
        }
    }
}
