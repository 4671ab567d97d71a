using System.Diagnostics;

namespace Integrator.Tests.Infrastructure;

/// <summary>Runs an independent peer (gpg, sq, rnp) on one input: its exit code, stdout and stderr, within 30 s.</summary>
public static class PeerProcess
{
    public static (int ExitCode, byte[] Stdout, string Stderr) Run(string command, IEnumerable<string> args, byte[] input)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the peer stopped reading: it refused the input early, which its exit code says
        }

        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{command} did not finish");
        }

        copy.GetAwaiter().GetResult();
        return (process.ExitCode, stdout.ToArray(), stderr.GetAwaiter().GetResult());
    }
}
