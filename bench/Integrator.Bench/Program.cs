using Integrator.Bench;

// dotnet run -c Release --project bench/Integrator.Bench [-- --quick] [-- pgp-cost]
if (args is ["ceiling-server", ..])
{
    CeilingServer.Run(args[1..]);
    return 0;
}

var repository = FindRepository();
var keys = Path.Combine(repository, "Integrator.Tests", "TestData", "keys");
if (args.Contains("pgp-cost"))
{
    PgpBenchmark.Run(keys, rounds: 5);
    return 0;
}

if (args is ["load", var url, var countText, var mode])
{
    // Drives first cancels (then replays) against a server someone else started, e.g. to profile it.
    await BenchRun.LoadAsync(new Uri(url), int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture), mode, keys);
    return 0;
}

var work = Directory.CreateTempSubdirectory("integrator-bench-").FullName;
try
{
    return await new BenchRun(keys, work, quick: args.Contains("--quick")).RunAsync();
}
finally
{
    Directory.Delete(work, recursive: true);
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
