using System.Diagnostics;
using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Readme;

/// <summary>
/// README's walk-throughs run as written (<see cref="ReadmeScript"/>): on a fresh Development server started as the
/// first command starts it (the repository's appsettings and seed; only its database and cookie keys in a folder of
/// the test's own, so nothing is left in the repository), every marked block in order in one bash session, each shown
/// output compared. README's ports 5080 and 5081 become free ones. Afterwards the repository has nothing untracked.
/// </summary>
[NonParallelizable]
public sealed class ReadmeWalkthroughTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    /// <summary>The build these tests run from (Debug or Release), whose server README's first command runs.</summary>
    private static string Configuration => TestContext.CurrentContext.TestDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    [Test]
    public async Task EveryMarkedBlockRunsAsWrittenAndShowsWhatReadmeShows()
    {
        var repository = Repository();
        var untrackedBefore = await GitUntrackedAsync(repository);
        var work = Directory.CreateTempSubdirectory("readme-").FullName;
        try
        {
            var port = FakeGoogle.FreePort();
            var script = ReadmeScript.Parse(
                await File.ReadAllTextAsync(Path.Combine(repository, "README.md")),
                new Dictionary<string, string> { ["5080"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["5081"] = FakeGoogle.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.That(script.Segments, Has.Count.GreaterThan(20), "README's walk-throughs were found");
            var path = Path.Combine(work, "readme.sh");
            await File.WriteAllTextAsync(path, Prelude(repository, work, port) + script.Bash + "\nprintf '\\n@@@readme-segment end@@@\\n'\n");

            var (exit, output) = await RunAsync(path, work);
            await File.WriteAllTextAsync(Path.Combine(TestContext.CurrentContext.WorkDirectory, "readme-walkthrough.log"), output);

            var outputs = script.Outputs(output);
            var failures = script.Segments
                .Where(s => s.Expected.Count > 0 && !(outputs.TryGetValue(s.Index, out var o) && s.Matches(o)))
                .Select(s => $"README block at {s.Block}:\n$ {s.Code.Trim()}\nexpected:\n  {string.Join("\n  ", s.Expected)}\ngot:\n  {(outputs.TryGetValue(s.Index, out var o) ? o.Trim().Replace("\n", "\n  ", StringComparison.Ordinal) : "(never reached)")}")
                .ToList();
            Assert.Multiple(async () =>
            {
                Assert.That(output, Does.Contain("@@@readme-segment end@@@"), $"the script ran to its end (exit {exit}):\n{Tail(output)}");
                Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
                Assert.That(await GitUntrackedAsync(repository), Is.EqualTo(untrackedBefore), "README's commands leave nothing untracked in the repository");
            });
            TestContext.Out.WriteLine($"{script.Segments.Count} segments, {script.Segments.Count(s => s.Expected.Count > 0)} with shown output, all as README shows");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The Development server of README's first command, from the built project (its content root, appsettings and seed),
    /// and <c>__restart</c> for blocks whose prose asks for a restart with a setting; both wait until it is ready.
    /// </summary>
    private static string Prelude(string repository, string work, int port) => $$"""
        set -u
        cd '{{repository}}'
        __dev() {
          (cd Integrator.Api && exec env ASPNETCORE_ENVIRONMENT=Development \
             Storage__ConnectionString='Data Source={{work}}/dev.db' Support__DataProtectionKeysFolder='{{work}}/console-keys' "$@" \
             dotnet bin/{{Configuration}}/net10.0/Integrator.Api.dll --urls http://localhost:{{port}}) >> '{{work}}/dev-server.log' 2>&1 &
          __server=$!
          for __i in $(seq 120); do curl -s -o /dev/null http://localhost:{{port}}/readyz && return; kill -0 $__server 2> /dev/null || break; sleep 0.5; done
          echo "the Development server did not start:"; tail -20 '{{work}}/dev-server.log'; exit 3
        }
        __restart() { kill $__server; wait $__server 2> /dev/null; __dev "$@"; }
        trap 'kill $__server 2> /dev/null' EXIT
        __dev

        """;

    private static async Task<(int Exit, string Output)> RunAsync(string script, string work)
    {
        var start = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static async Task<string> GitUntrackedAsync(string repository)
    {
        var start = new ProcessStartInfo("git", ["status", "--porcelain", "--untracked-files=all"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = repository,
        };
        using var git = Process.Start(start)!;
        var status = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        return string.Join('\n', status.Split('\n').Where(l => l.StartsWith("??", StringComparison.Ordinal)).Order());
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;

    private static string Repository()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Integrator.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The tests run inside the repository.");
    }
}
