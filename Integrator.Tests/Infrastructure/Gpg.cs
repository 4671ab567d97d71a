using System.Diagnostics;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// GnuPG as an independent OpenPGP peer, in a keyring of its own that holds the given key files. Signs, encrypts and
/// verifies exactly as Google's documentation shows (<c>gpg --sign --digest-algo SHA384 --encrypt --cipher-algo AES256</c>).
/// </summary>
public sealed class Gpg : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gpg-").FullName;

    public Gpg(params string[] keyFiles)
    {
        foreach (var file in keyFiles)
        {
            Run(["--import", file], []);
        }
    }

    /// <summary>Signs with each signer (by e-mail) and encrypts to each recipient, in one pass.</summary>
    public byte[] SignAndEncrypt(byte[] content, string[] signers, string[] recipients, bool armor = false, string? fakedTime = null, string[]? extra = null)
    {
        var args = new List<string>(extra ?? []);
        if (fakedTime is not null)
        {
            args.AddRange(["--faked-system-time", fakedTime]);
        }

        foreach (var signer in signers)
        {
            args.AddRange(["--local-user", Email(signer)]);
        }

        if (signers.Length > 0)
        {
            args.AddRange(["--sign", "--digest-algo", "SHA384"]);
        }

        args.AddRange(["--encrypt", "--cipher-algo", "AES256"]);
        foreach (var recipient in recipients)
        {
            args.AddRange(["--recipient", Email(recipient)]);
        }

        if (armor)
        {
            args.Add("--armor");
        }

        return Run(args, content).Output;
    }

    /// <summary>Decrypts and verifies; Status holds gpg's machine-readable status lines (DECRYPTION_OKAY, VALIDSIG…).</summary>
    public (byte[] Content, string Status) Decrypt(byte[] message)
    {
        var (output, status) = Run(["--decrypt"], message);
        return (output, status);
    }

    /// <summary>gpg's verdict on a message: exit code 0 and a GOODSIG/VALIDSIG by a key it holds means it accepts it.</summary>
    public (bool Accepted, string Status) Judge(byte[] message)
    {
        var (exitCode, _, status) = Execute(["--decrypt"], message);
        return (exitCode == 0 && status.Contains("[GNUPG:] VALIDSIG", StringComparison.Ordinal) && status.Contains("[GNUPG:] DECRYPTION_OKAY", StringComparison.Ordinal), status);
    }

    public void Dispose()
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", _home, "--kill", "gpg-agent"]) { UseShellExecute = false });
            kill?.WaitForExit(5000);
        }
        finally
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static string Email(string name) => $"{name}@integrator.test";

    private (byte[] Output, string Status) Run(IReadOnlyList<string> args, byte[] input)
    {
        var (exitCode, output, status) = Execute(args, input, out var stderr);
        return exitCode == 0
            ? (output, status)
            : throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed ({exitCode}): {stderr}\n{status}");
    }

    private (int ExitCode, byte[] Output, string Status) Execute(IReadOnlyList<string> args, byte[] input) => Execute(args, input, out _);

    private (int ExitCode, byte[] Output, string Status) Execute(IReadOnlyList<string> args, byte[] input, out string stderrText)
    {
        var statusFile = Path.Combine(_home, $"status-{Guid.NewGuid():N}");
        var (exitCode, stdout, stderr) = PeerProcess.Run(
            "gpg",
            new[]
            {
                "--homedir", _home, "--batch", "--yes", "--no-tty", "--trust-model", "always", "--pinentry-mode", "loopback",
                "--passphrase", TestKeys.Passphrase, "--status-file", statusFile,
            }.Concat(args),
            input);
        var status = File.Exists(statusFile) ? File.ReadAllText(statusFile) : string.Empty;
        File.Delete(statusFile);
        stderrText = stderr;
        return (exitCode, stdout, status);
    }
}
