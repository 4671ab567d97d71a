using Integrator.Bench;

// dotnet run -c Release --project bench/Integrator.Bench -- [pgp] [--rounds N]
var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(5);
var scenarios = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _)).DefaultIfEmpty("pgp").ToList();
var repository = FindRepository();
if (scenarios.Contains("pgp"))
{
    PgpBenchmark.Run(Path.Combine(repository, "Integrator.Tests", "TestData", "keys"), rounds);
}

static string FindRepository()
{
    var folder = new DirectoryInfo(AppContext.BaseDirectory);
    while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Integrator.sln")))
    {
        folder = folder.Parent;
    }

    return folder?.FullName ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
}
