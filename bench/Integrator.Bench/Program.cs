using Integrator.Bench;

// dotnet run -c Release --project bench/Integrator.Bench [-- --quick] [-- --only none,pgp,history,postgres,backend,patroni] [-- pgp-cost]
if (args is ["ceiling-server", ..])
{
    CeilingServer.Run(args[1..]);
    return 0;
}

if (args is ["core-server", ..])
{
    CoreServer.Run(args[1..]);
    return 0;
}

System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
var repository = FindRepository();
var keys = Path.Combine(repository, "Integrator.Tests", "TestData", "keys");
if (args.Contains("pgp-cost"))
{
    PgpBenchmark.Run(keys, rounds: 5);
    return 0;
}

var work = Directory.CreateTempSubdirectory("integrator-bench-").FullName;
try
{
    var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? ["none", "pgp", "history", "postgres", "backend", "patroni"];
    return await new BenchRun(keys, work, quick: args.Contains("--quick"), only).RunAsync();
}
catch (BenchServerException e)
{
    Console.Error.WriteLine($"The benchmark stopped: {e.Message}");
    return 1;
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
