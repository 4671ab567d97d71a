using Integrator.Core.Gsp;
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
}
