using System.Text;
using Integrator.Core.Security.Pgp;
using SharpFuzz;

namespace Integrator.Fuzz;

/// <summary>
/// The fuzz targets. An exception that escapes is a finding (AFL records it as a crash): the opener must turn every
/// input into one of its two failures, and the keyring loader every bad file into an InvalidOperationException that
/// names it. AFL's per-input time limit (-t) catches hangs.
/// </summary>
internal static class Targets
{
    private const string Passphrase = "test-passphrase";

    /// <remarks>
    /// Instrumented code may run only inside the fuzzer's callback (outside it there is no coverage map to write), so
    /// the keys are loaded there, on the first input.
    /// </remarks>
    public static int Run(string target, string? keys)
    {
        Fuzzer.OutOfProcess.Run(Body(target, keys));
        return 0;
    }

    private static Action<Stream> Body(string target, string? keys) => target switch
    {
        "opener" => Opener(keys, inner: false),
        "inner" => Opener(keys, inner: true),
        "keyfile" => KeyFile(),
        _ => throw new ArgumentException($"unknown target '{target}'", nameof(target)),
    };

    /// <summary>Runs inputs through a target directly, printing what escapes: 1 if anything did.</summary>
    public static int Replay(string target, string keys, string[] files)
    {
        var body = Body(target, keys);
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                using var input = File.OpenRead(file);
                body(input);
                Console.WriteLine($"ok      {file}");
            }
#pragma warning disable CA1031 // reporting every escaping exception is the point
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"escaped {file}: {e}");
            }
        }

        return failed == 0 ? 0 : 1;
    }

    public static int WriteSeeds(string keys, string folder)
    {
        var google = GoogleSide(keys);
        var signer = google.Ours.First(k => k.Usage.HasFlag(KeyUsage.Sign));
        var recipient = google.Google.First(k => k.Usage.HasFlag(KeyUsage.Encrypt));
        var content = Encoding.UTF8.GetBytes("""{"requestHeader":{"protocolVersion":{"major":1},"requestId":"seed"}}""");
        var sealedMessage = PgpSealer.Seal(content, signer, [recipient], DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(folder, "opener"));
        Directory.CreateDirectory(Path.Combine(folder, "inner"));
        Directory.CreateDirectory(Path.Combine(folder, "keyfile"));
        File.WriteAllBytes(Path.Combine(folder, "opener", "valid.pgp"), sealedMessage);
        File.WriteAllBytes(Path.Combine(folder, "inner", "signed-literal.bin"), PgpSealer.SignedLiteral(content, signer, DateTimeOffset.UtcNow));
        foreach (var file in Directory.GetFiles(keys, "*.pub.asc"))
        {
            File.Copy(file, Path.Combine(folder, "keyfile", Path.GetFileName(file)), overwrite: true);
        }

        return 0;
    }

    private static Action<Stream> Opener(string? keys, bool inner)
    {
        PgpOpener? opener = null;
        PgpKey? recipient = null;
        return stream =>
        {
            if (opener is null)
            {
                var keyring = Keyring(keys);
                opener = new PgpOpener(keyring, TimeProvider.System);
                recipient = keyring.Ours.First(k => k.Usage.HasFlag(KeyUsage.Encrypt));
            }

            var input = ReadAll(stream);
            _ = opener.Open(inner ? PgpSealer.Encrypt(input, [recipient!]) : input);
        };
    }

    private static Action<Stream> KeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"integrator-fuzz-key-{Environment.ProcessId}");
        return stream =>
        {
            File.WriteAllBytes(path, ReadAll(stream));
            try
            {
                _ = PgpKeyring.Load([], string.Empty, [path]);
            }
            catch (InvalidOperationException)
            {
                // the expected refusal of a bad key file
            }
        };
    }

    private static PgpKeyring Keyring(string? keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return PgpKeyring.Load([Path.Combine(keys, "integrator-1.sec.asc")], Passphrase, [Path.Combine(keys, "google-1.pub.asc")]);
    }

    private static PgpKeyring GoogleSide(string keys) =>
        PgpKeyring.Load([Path.Combine(keys, "google-1.sec.asc")], Passphrase, [Path.Combine(keys, "integrator-1.pub.asc")]);

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
