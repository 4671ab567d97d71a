using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Integrator.Conformance;

/// <summary>
/// The run's verdict in three forms: the console table (rules under the methods they were checked on, then the methods
/// × rules counts), JUnit XML for CI, and one self-contained HTML file to attach to a ticket. Every failure carries
/// the exchanges of its check — requests before sealing, answers opened, the accounts file's secrets replaced by shell
/// variables — and, in plaintext, a curl command per request that sends it again.
/// </summary>
public sealed partial class Report(IReadOnlyList<RuleResult> results, string target, DateTimeOffset started)
{
    /// <summary>Google's methods towards the integrator, in the order of the family's documentation, then the notification.</summary>
    public static readonly IReadOnlyList<string> MethodOrder =
    [
        "echo", "reserveFunds", "captureFundsReservation", "cancelFundsReservation", "refund", "remittanceStatementNotification",
        "getGeneratePaymentTokenRedirectStatus", "cancelFundsReservationResultNotification",
    ];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The methods the rules name, Google's first in their order.</summary>
    private readonly List<string> _methods =
    [
        .. MethodOrder.Where(m => results.Any(r => r.Methods.Contains(m))),
        .. results.SelectMany(r => r.Methods).Distinct().Where(m => !MethodOrder.Contains(m)).Order(StringComparer.Ordinal),
    ];

    private readonly Tally _total = Tally.Of(string.Empty, results);

    /// <summary>Each method's counts, for the methods table of the text and of the HTML.</summary>
    private IEnumerable<Tally> MethodTallies => _methods.Select(m => Tally.Of(m, results.Where(r => r.Methods.Contains(m))));

    private string Totals => $"{results.Count} rules: {_total.Pass} passed, {_total.Fail} failed, {_total.Skip} skipped";

    public string Text()
    {
        var width = Math.Min(110, results.Select(r => r.Rule.Length + 2).DefaultIfEmpty(8).Max());
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"GSP redirect-payment-token-v1 conformance of {target}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{"Method / rule".PadRight(width)}  {"Result",-6}  Reason");
        foreach (var method in _methods)
        {
            text.AppendLine(method);
            foreach (var result in results.Where(r => r.Methods.Contains(method)))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {result.Rule.PadRight(width - 2)}  {Word(result.Outcome),-6}  {result.Reason}");
            }
        }

        foreach (var result in results.Where(r => r.Methods.Count == 0))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{result.Rule.PadRight(width)}  {Word(result.Outcome),-6}  {result.Reason}");
        }

        var methodWidth = _methods.Select(m => m.Length).DefaultIfEmpty(6).Max();
        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{"Method".PadRight(methodWidth)}  rules  pass  FAIL  skip");
        foreach (var method in MethodTallies)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{method.Name.PadRight(methodWidth)}  {method.Rules,5}  {method.Pass,4}  {method.Fail,4}  {method.Skip,4}");
        }

        return text.AppendLine().AppendLine(Totals).ToString();
    }

    public XDocument JUnit() => new(new XElement(
        "testsuites",
        new XElement(
            "testsuite",
            new XAttribute("name", "GSP redirect-payment-token-v1 conformance"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", _total.Fail),
            new XAttribute("skipped", _total.Skip),
            new XAttribute("timestamp", started.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties", new XElement("property", new XAttribute("name", "target"), new XAttribute("value", target))),
            results.Select(r => new XElement(
                "testcase",
                new XAttribute("classname", r.Methods.Count > 0 ? r.Methods[0] : "conformance"),
                new XAttribute("name", r.Rule),
                r.Outcome switch
                {
                    RuleOutcome.Fail => new XElement("failure", new XAttribute("message", r.Reason), Reproduction(r)),
                    RuleOutcome.Skip => new XElement("skipped", new XAttribute("message", r.Reason)),
                    _ => null,
                })))));

    public string Html()
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>GSP conformance of {{E(target)}}</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:80rem}
            h1{font-size:1.4rem} h2{font-size:1.15rem;margin-top:2rem} h3{font-size:1rem;margin-bottom:.3rem}
            table{border-collapse:collapse} th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;vertical-align:top;text-align:left}
            th.m{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;white-space:nowrap} td.c{text-align:center}
            .pass{color:#0b6b2b} .fail{color:#b00020;font-weight:bold} .skip{color:#6b6b6b}
            pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:.2rem 0 .6rem}
            section.failure{border-left:4px solid #b00020;padding-left:1rem;margin-bottom:1.5rem} summary{font-weight:bold;cursor:pointer;margin:.3rem 0}
            </style></head><body>
            <h1>GSP redirect-payment-token-v1 conformance</h1>
            <p>Target: <strong>{{E(target)}}</strong><br>Run: {{started:yyyy-MM-dd HH:mm:ss}} UTC<br>
            <span class="pass">{{_total.Pass}} passed</span>, <span class="fail">{{_total.Fail}} failed</span>, <span class="skip">{{_total.Skip}} skipped</span> of {{results.Count}} rules.</p>
            <p>Secrets of the accounts file appear as shell variables (<code>${FUNDED_TOKEN}</code>, …): set them from the file to run a curl command below.</p>
            """);
        AppendFailures(html);
        html.Append("<h2>Methods</h2>\n<table><thead><tr><th>Method</th><th>Rules</th><th>pass</th><th>FAIL</th><th>skip</th></tr></thead><tbody>\n");
        foreach (var method in MethodTallies)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(method.Name)}</td><td>{method.Rules}</td><td>{method.Pass}</td><td{(method.Fail > 0 ? " class=\"fail\"" : string.Empty)}>{method.Fail}</td><td>{method.Skip}</td></tr>\n");
        }

        html.Append("</tbody></table>\n<h2>Rules × methods</h2>\n<table><thead><tr><th>Rule</th><th>Result</th>");
        foreach (var method in _methods)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th class=\"m\" scope=\"col\">{E(method)}</th>");
        }

        html.Append("<th>Reason</th></tr></thead><tbody>\n");
        foreach (var result in results.OrderBy(Position).ThenBy(r => r.Rule, StringComparer.Ordinal))
        {
            var rule = result.Outcome == RuleOutcome.Fail ? $"<a href=\"#{Anchor(result)}\">{E(result.Rule)}</a>" : E(result.Rule);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{rule}</td><td class=\"{Css(result.Outcome)}\">{Word(result.Outcome)}</td>");
            foreach (var method in _methods)
            {
                html.Append(result.Methods.Contains(method) ? $"<td class=\"c {Css(result.Outcome)}\" title=\"{E(method)}\">●</td>" : "<td></td>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<td>{(result.Outcome == RuleOutcome.Pass ? string.Empty : E(result.Reason))}</td></tr>\n");
        }

        html.Append("</tbody></table>\n");
        return html.Append("</body></html>\n").ToString();
    }

    private void AppendFailures(StringBuilder html)
    {
        var failures = results.Where(r => r.Outcome == RuleOutcome.Fail).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<h2>Failures ({failures.Count})</h2>\n");
        if (failures.Count == 0)
        {
            html.Append("<p>None.</p>\n");
        }

        foreach (var result in failures)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section class=\"failure\" id=\"{Anchor(result)}\"><h3>{E(result.Rule)}</h3><p>Checked on {E(string.Join(", ", result.Methods))}. {E(result.Reason)}</p>\n");
            // The last exchange is the one the rule judged: open; those that led to it folded.
            foreach (var exchange in result.Exchanges)
            {
                var last = exchange == result.Exchanges[^1];
                html.Append(CultureInfo.InvariantCulture, $"<details{(last ? " open" : string.Empty)}><summary>{E(Title(exchange))}</summary>\n<p>Request{(exchange.Sealed ? " (before sealing)" : string.Empty)}:</p><pre>{E(Pretty(exchange.Request))}</pre>\n<p>Answer{(exchange.Sealed ? " (opened)" : string.Empty)}:</p><pre>{E(Pretty(exchange.Answer))}</pre>\n");
                if (Curl(exchange) is { } curl)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<p>Reproduce:</p><pre>{E(curl)}</pre>\n");
                }

                html.Append("</details>\n");
            }

            if (result.ExchangesOmitted > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>{result.ExchangesOmitted} more exchanges of this check are not shown.</p>\n");
            }

            html.Append("</section>\n");
        }
    }

    /// <summary>
    /// A curl command that sends a plaintext request again: the body as sent, its requestTimestamp made at run time
    /// (keeping any deliberate skew), secrets from the shell's variables. A sealed request has none.
    /// </summary>
    public static string? Curl(Exchange exchange)
    {
        if (exchange.Sealed || exchange.FromTarget || !exchange.Request.StartsWith('{'))
        {
            return null;
        }

        var body = exchange.Request.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal)
            .Replace("`", "\\`", StringComparison.Ordinal);
        body = EscapedVariable().Replace(body, "${$1}");
        body = RequestTimestamp().Replace(body, match =>
        {
            var sent = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            var skew = sent - exchange.SentAt.ToUnixTimeMilliseconds();
            var now = Math.Abs(skew) < 60_000 ? "$(date +%s%3N)" : $"$(( $(date +%s%3N) + {skew} ))";
            return $"{match.Groups[1].Value}{now}\"";
        });
        return $"curl -sS -i -X POST '{exchange.Url}' -H 'Content-Type: application/json' --data-binary @- <<JSON\n{body}\nJSON";
    }

    private string Reproduction(RuleResult result)
    {
        var text = new StringBuilder();
        foreach (var exchange in result.Exchanges)
        {
            text.AppendLine(Title(exchange)).AppendLine("request: " + exchange.Request).AppendLine("answer: " + exchange.Answer);
            if (Curl(exchange) is { } curl)
            {
                text.AppendLine(curl);
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private int Position(RuleResult result) =>
        result.Methods.Count == 0 ? int.MaxValue : result.Methods.Min(m => _methods.IndexOf(m));

    private static string Anchor(RuleResult result) => "failure-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(result.Rule)))[..12];

    private static string Title(Exchange exchange) => exchange.FromTarget
        ? $"{exchange.SentAt:HH:mm:ss.fff} the target → the kit's Google endpoint: POST {exchange.Url.AbsolutePath} → the kit answered HTTP {exchange.Status}"
        : $"{exchange.SentAt:HH:mm:ss.fff} POST {exchange.Url} → {(exchange.Status == 0 ? "no answer" : $"HTTP {exchange.Status}")}";

    private static string Pretty(string text)
    {
        try
        {
            return text.StartsWith('{') && JsonNode.Parse(text) is { } json ? json.ToJsonString(Indented) : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static string Word(RuleOutcome outcome) => outcome switch
    {
        RuleOutcome.Pass => "pass",
        RuleOutcome.Fail => "FAIL",
        _ => "skip",
    };

    private sealed record Tally(string Name, int Rules, int Pass, int Fail, int Skip)
    {
        public static Tally Of(string name, IEnumerable<RuleResult> rules)
        {
            var list = rules.ToList();
            return new(name, list.Count, list.Count(r => r.Outcome == RuleOutcome.Pass), list.Count(r => r.Outcome == RuleOutcome.Fail), list.Count(r => r.Outcome == RuleOutcome.Skip));
        }
    }

    private static string Css(RuleOutcome outcome) => outcome.ToString().ToLowerInvariant();

    private static string E(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"\\\$\{([A-Z_]+)\}")]
    private static partial Regex EscapedVariable();

    [GeneratedRegex("(\"requestTimestamp\":\")([0-9]+)\"")]
    private static partial Regex RequestTimestamp();
}
