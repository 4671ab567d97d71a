using Integrator.Core.Pipeline;
using Integrator.Core.Storage;

namespace Integrator.Tests.Conventions;

/// <summary>Rules of this codebase that a reviewer would otherwise have to remember.</summary>
public sealed class CodebaseRulesTests
{
    [Test]
    public void CoreDoesNotDependOnAspNetCore()
    {
        var references = typeof(GspGateway).Assembly.GetReferencedAssemblies().Select(a => a.Name!);
        Assert.That(references, Has.None.StartsWith("Microsoft.AspNetCore"), "HTTP belongs to Integrator.Api");
    }

    [TestCase(StorageProvider.Sqlite)]
    [TestCase(StorageProvider.Postgres)]
    [TestCase(StorageProvider.SqlServer)]
    public void MigrationsAreNumberedFromOneWithoutGaps(StorageProvider provider)
    {
        var versions = Migrator.Scripts(provider).Select(s => s.Version).ToArray();
        Assert.That(versions, Is.EqualTo(Enumerable.Range(1, versions.Length).ToArray()));
    }

    [TestCase(StorageProvider.Postgres)]
    [TestCase(StorageProvider.SqlServer)]
    public void EveryEngineHasTheSameScriptsAsSqlite(StorageProvider provider) =>
        Assert.That(Migrator.Scripts(provider).Select(s => s.Name), Is.EqualTo(Migrator.Scripts(StorageProvider.Sqlite).Select(s => s.Name)));

    [TestCase(StorageProvider.Sqlite)]
    [TestCase(StorageProvider.Postgres)]
    [TestCase(StorageProvider.SqlServer)]
    public void EveryScriptIsEmbeddedFromTheDbFolder(StorageProvider provider)
    {
        var root = Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "db", Migrator.FolderOf(provider));
        var onDisk = Directory.GetFiles(root, "*.sql").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.That(Migrator.Scripts(provider).Select(s => s.Name).ToArray(), Is.EqualTo(onDisk));
    }

    /// <summary>
    /// Comments point only into the repository (docs/, README, SECURITY.md) or to public URLs: a newcomer has nothing
    /// else, and documents outside it are not versioned with the code.
    /// </summary>
    [Test]
    public void NoSourceFileCitesADocumentOutsideTheRepository()
    {
        var repository = Infrastructure.ServerRun.Repository;
        string[] outside = ["product.md", "gsp-spec", "gsp-family", "peers.md", "console.md", "style-anchors", "../shared", "shared/reference"];
        var citing = Directory.EnumerateFiles(repository, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.EndsWith(nameof(CodebaseRulesTests) + ".cs", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => outside.Any(o => x.line.Contains(o, StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(repository, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.That(citing, Is.Empty);
    }

    /// <summary>
    /// Each project's folders depend on each other in one direction only — vocabulary below (Core's root namespace, Gsp,
    /// Storage; Api's Security), features in the middle, the pipeline, the composition and the hosts on top — and the
    /// root namespace is a node like the folders: it holds vocabulary and may import nothing that imports it. Read from
    /// the source: every <c>Integrator.X.Y</c> a folder names, and every root type it uses.
    /// </summary>
    [TestCase("Integrator.Core")]
    [TestCase("Integrator.Api")]
    public void FoldersAndTheRootNamespaceFormNoCycle(string project)
    {
        const string Root = "(root)";
        var directory = Path.Combine(Infrastructure.ServerRun.Repository, project);
        var folders = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj" or "Properties" or "wwwroot" or "dev" or "data")).ToHashSet();
        var rootFiles = Directory.GetFiles(directory, "*.cs").Where(f => Path.GetFileName(f) != "Program.cs").ToList();
        var rootTypes = rootFiles.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        IEnumerable<string> Files(string node) => node == Root
            ? rootFiles
            : Directory.EnumerateFiles(Path.Combine(directory, node), "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal));
        var nodes = folders.Append(Root).ToList();
        var edges = nodes.ToDictionary(
            node => node,
            node => Files(node)
                .SelectMany(file =>
                {
                    var text = File.ReadAllText(file);
                    var named = System.Text.RegularExpressions.Regex.Matches(text, $@"{System.Text.RegularExpressions.Regex.Escape(project)}\.([A-Za-z]+)").Select(m => m.Groups[1].Value);
                    var root = rootTypes.Any(t => System.Text.RegularExpressions.Regex.IsMatch(text, $@"\b{t}\b")) ? [Root] : Array.Empty<string>();
                    return named.Where(folders.Contains).Concat(root);
                })
                .Where(d => d != node)
                .ToHashSet());

        var cycles = new List<string>();
        foreach (var start in nodes.Order())
        {
            var path = new Stack<string>();
            if (FindCycle(start, start, edges, path, []))
            {
                cycles.Add(string.Join(" -> ", path.Reverse().Prepend(start)));
            }
        }

        Assert.That(cycles, Is.Empty, $"namespace cycles among {project}'s folders and root namespace");
    }

    /// <summary>The composition root stays a table of contents (eShop's is 20 lines).</summary>
    [Test]
    public void ProgramIsShort() =>
        Assert.That(
            File.ReadLines(Path.Combine(Infrastructure.ServerRun.Repository, "Integrator.Api", "Program.cs")).Count(l => l.Trim().Length > 0),
            Is.LessThanOrEqualTo(60));

    /// <summary>
    /// Times are <see cref="DateTimeOffset"/> everywhere but where they meet the database (Storage) and GSP's messages
    /// (Gsp, whose GspTime a message field is set through): no epoch milliseconds are passed around elsewhere.
    /// </summary>
    [Test]
    public void NoEpochMillisecondsOutsideStorageAndGsp()
    {
        var repository = Infrastructure.ServerRun.Repository;
        var found = new[] { "Integrator.Core", "Integrator.Api" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(repository, p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Storage{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Gsp{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => System.Text.RegularExpressions.Regex.IsMatch(x.line, @"UnixTimeMilliseconds|\bnowMillis\b|(?<!GspTime\.)Millis\b"))
            .Select(x => $"{Path.GetRelativePath(repository, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.That(found, Is.Empty);
    }

    /// <summary>
    /// Each feature logs in a range of event ids of its own, and no id is used twice, so that an operator's alert on an
    /// id means one thing. A feature folder not listed here must be given a range before it logs.
    /// </summary>
    [Test]
    public void EveryLogEventHasAnIdOfItsOwnInItsFeaturesRange()
    {
        var ranges = new Dictionary<string, (int From, int To)>
        {
            ["Integrator.Api.Hosting"] = (1, 99),
            ["Integrator.Core.Storage"] = (100, 109),
            ["Integrator.Core.Idempotency"] = (110, 199),
            ["Integrator.Core.Ledger"] = (200, 299),
            ["Integrator.Core.Journal"] = (300, 399),
            ["Integrator.Core.Pipeline"] = (400, 499),
            ["Integrator.Core.Notifications"] = (500, 599),
            ["Integrator.Core.Reservations"] = (600, 699),
            ["Integrator.Core.Security"] = (700, 799),
            ["Integrator.Core.Remittance"] = (800, 899),
            ["Integrator.Core.Redirect"] = (900, 999),
            ["Integrator.Api.Support"] = (1000, 1099),
            ["Integrator.Core.Backend"] = (1100, 1199),
            ["Integrator.Api.SupportConsole"] = (1200, 1299),
            ["Integrator.Api.Redirect"] = (1300, 1399),
        };
        var events = new[] { typeof(GspGateway).Assembly, typeof(Program).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
                .Select(m => (Type: t, Method: m, Attribute: m.GetCustomAttributes(typeof(Microsoft.Extensions.Logging.LoggerMessageAttribute), false)
                    .OfType<Microsoft.Extensions.Logging.LoggerMessageAttribute>().SingleOrDefault())))
            .Where(e => e.Attribute is not null)
            .Select(e => (Id: e.Attribute!.EventId, Feature: ranges.Keys.Where(k => e.Type.Namespace!.StartsWith(k, StringComparison.Ordinal)).MaxBy(k => k.Length), Name: $"{e.Type.Name}.{e.Method.Name}"))
            .ToList();

        Assert.That(events, Has.Count.GreaterThan(30), "the log events were found");
        Assert.Multiple(() =>
        {
            Assert.That(events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}"), Is.Empty, "ids used twice");
            Assert.That(events.Where(e => e.Feature is null).Select(e => e.Name), Is.Empty, "events of a feature without a range");
            Assert.That(
                events.Where(e => e.Feature is { } f && (e.Id < ranges[f].From || e.Id > ranges[f].To)).Select(e => $"{e.Name} {e.Id} (range of {e.Feature}: {ranges[e.Feature!]})"),
                Is.Empty,
                "ids outside their feature's range");
        });
    }

    private static bool FindCycle(string start, string at, Dictionary<string, HashSet<string>> edges, Stack<string> path, HashSet<string> seen)
    {
        foreach (var next in edges[at].Order())
        {
            path.Push(next);
            if (next == start || (seen.Add(next) && FindCycle(start, next, edges, path, seen)))
            {
                return true;
            }

            path.Pop();
        }

        return false;
    }
}
