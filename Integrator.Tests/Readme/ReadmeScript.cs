using System.Text;
using System.Text.RegularExpressions;

namespace Integrator.Tests.Readme;

/// <summary>
/// README's runnable walk-throughs: every ```bash block after a <c>&lt;!-- readme-test --&gt;</c> marker, in README order,
/// as one bash script, as a person pasting them top to bottom would run them. A block is cut into segments at its
/// expected output (<c>#&gt; </c> lines, <c>…</c> standing for anything); each segment's output is matched against them.
/// A marker <c>readme-test: restart K=V …</c> restarts the Development server with those settings first, as the prose
/// around that block asks the reader to.
/// </summary>
public sealed partial class ReadmeScript
{
    private ReadmeScript(IReadOnlyList<Segment> segments, string bash)
    {
        Segments = segments;
        Bash = bash;
    }

    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>The blocks with a marker before each segment; <c>__restart</c> and the ports are the caller's to provide.</summary>
    public string Bash { get; }

    public static ReadmeScript Parse(string readme, IReadOnlyDictionary<string, string> replacements)
    {
        var lines = readme.Split('\n');
        var segments = new List<Segment>();
        var bash = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            if (i + 1 >= lines.Length || lines[i + 1].Trim() != "```bash")
            {
                throw new FormatException($"README line {i + 1}: a readme-test marker must stand right before a ```bash block.");
            }

            var block = $"line {i + 3}";
            if (marker.Groups["restart"].Success)
            {
                bash.AppendLine($"__restart {marker.Groups["restart"].Value.Trim()}");
            }

            var code = new List<string>();
            var expected = new List<string>();
            for (i += 2; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                var line = Replace(lines[i], replacements);
                if (line.StartsWith("#> ", StringComparison.Ordinal))
                {
                    expected.Add(line[3..]);
                    continue;
                }

                if (expected.Count > 0)
                {
                    Add(block, code, expected, segments, bash);
                }

                code.Add(line);
            }

            Add(block, code, expected, segments, bash);
        }

        return new ReadmeScript(segments, bash.ToString());
    }

    private static void Add(string block, List<string> code, List<string> expected, List<Segment> segments, StringBuilder bash)
    {
        if (code.Count == 0 && expected.Count == 0)
        {
            return;
        }

        var segment = new Segment(segments.Count, block, string.Join('\n', code), [.. expected]);
        segments.Add(segment);
        bash.AppendLine($"printf '\\n{SegmentMarker(segment.Index)}\\n'");
        bash.AppendLine(segment.Code);
        code.Clear();
        expected.Clear();
    }

    private static string Replace(string line, IReadOnlyDictionary<string, string> replacements) =>
        replacements.Aggregate(line, (current, r) => current.Replace(r.Key, r.Value, StringComparison.Ordinal));

    public static string SegmentMarker(int index) => $"@@@readme-segment {index}@@@";

    /// <summary>Each segment's output, from the script's whole output.</summary>
    public IReadOnlyDictionary<int, string> Outputs(string output)
    {
        var found = new Dictionary<int, string>();
        foreach (var segment in Segments)
        {
            var start = output.IndexOf(SegmentMarker(segment.Index), StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            start += SegmentMarker(segment.Index).Length;
            var end = output.IndexOf("@@@readme-segment ", start, StringComparison.Ordinal);
            found[segment.Index] = output[start..(end < 0 ? output.Length : end)];
        }

        return found;
    }

    [GeneratedRegex(@"^<!-- readme-test(: restart (?<restart>[^>]*))? -->\s*$")]
    private static partial Regex Marker();
}

/// <summary>Code of a README block up to (and with) the output README shows after it.</summary>
public sealed record Segment(int Index, string Block, string Code, IReadOnlyList<string> Expected)
{
    /// <summary>
    /// Whether every expected line matches a line of <paramref name="output"/>, in order (other lines may come between:
    /// README shows what matters), <c>…</c> matching anything.
    /// </summary>
    public bool Matches(string output)
    {
        var actual = output.Split('\n').Select(l => l.TrimEnd()).ToList();
        var at = 0;
        foreach (var pattern in Expected.Select(Pattern))
        {
            while (at < actual.Count && !pattern.IsMatch(actual[at]))
            {
                at++;
            }

            if (at == actual.Count)
            {
                return false;
            }

            at++;
        }

        return true;
    }

    private static Regex Pattern(string expected) =>
        new("^" + string.Join(".*", expected.TrimEnd().Split('…').Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
}
