using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Integrator.Core.Security.Pgp;

namespace Integrator.Api.Cli;

/// <summary><c>Integrator.Api keygen</c>: makes a key pair of ours and says how to register it.</summary>
internal static partial class KeygenCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "User id of the key, e.g. \"Acme Bank GSP <gsp@acme.example>\"", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the two key files", DefaultValueFactory = _ => new DirectoryInfo("keys") };
        var passphrase = new Option<string?>("--passphrase")
        {
            Description = "Protects the secret key (default and better: $INTEGRATOR_KEY_PASSPHRASE, kept out of the shell history; none leaves it unprotected)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("INTEGRATOR_KEY_PASSPHRASE"),
        };
        var bits = new Option<int>("--bits") { Description = "RSA key size (at least 2048)", DefaultValueFactory = _ => 2048 };
        var days = new Option<int>("--valid-days") { Description = "Validity; Google asks for one year and at most two", DefaultValueFactory = _ => 365 };

        var command = new Command("keygen", "Generate an OpenPGP key pair of ours (RSA, sign + encrypt subkey) for MessageSecurity:Mode=Pgp")
        {
            name, output, passphrase, bits, days,
        };
        command.SetAction(parse => Run(
            parse.GetValue(name)!, parse.GetValue(output)!, parse.GetValue(passphrase) ?? string.Empty, parse.GetValue(bits), parse.GetValue(days)));
        return command;
    }

    private static int Run(string identity, DirectoryInfo folder, string passphrase, int bits, int validDays)
    {
        if (bits < PgpKeyring.MinimumRsaBits || validDays is < 1 or > 730)
        {
            Console.Error.WriteLine($"--bits must be at least {PgpKeyring.MinimumRsaBits} and --valid-days between 1 and 730.");
            return 2;
        }

        var stem = FileStem().Replace(identity.Split('<')[0].Trim().ToLowerInvariant(), "-").Trim('-');
        var secretFile = Path.Combine(folder.FullName, (stem.Length > 0 ? stem : "integrator") + ".sec.asc");
        var publicFile = Path.ChangeExtension(secretFile, null)[..^4] + ".pub.asc";
        if (File.Exists(secretFile) || File.Exists(publicFile))
        {
            Console.Error.WriteLine($"{secretFile} or {publicFile} exists already; choose another --name or --out.");
            return 2;
        }

        var key = PgpKeyGenerator.Generate(identity, passphrase, bits, TimeSpan.FromDays(validDays), DateTimeOffset.UtcNow);
        folder.Create();
        WriteSecret(secretFile, key.SecretKeyArmored);
        File.WriteAllText(publicFile, key.PublicKeyArmored);
        var expires = key.ExpiresAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Console.WriteLine($"""
            Generated an RSA-{bits} OpenPGP key for "{identity}", valid until {expires}:
              fingerprint     {key.Fingerprint}
              signing key     {key.SigningKeyId} (primary: sign, certify)
              encryption key  {key.EncryptionKeyId} (subkey: encrypt)

              secret key  {secretFile}   (mode 600; keep it on the server, never send it anywhere)
              public key  {publicFile}   (send it to Google in the key exchange; sandbox and production keys differ)
            {(passphrase.Length == 0 ? "\n  WARNING: the secret key has no passphrase.\n" : string.Empty)}
            Register it (appsettings or environment variables):
              MessageSecurity__Mode=Pgp
              MessageSecurity__Pgp__PrivateKeyFiles__0={secretFile}
              MessageSecurity__Pgp__Passphrase=<the passphrase, from your secret store>
              MessageSecurity__Pgp__GooglePublicKeyFiles__0=<Google's armored public key file>
              MessageSecurity__Pgp__GoogleKeyFingerprints__0=<the fingerprint of Google's primary key, from the key exchange>

            To rotate, add the new key after the current one (every active key decrypts; the first active one signs),
            give Google the new public key, then move it first and drop the old one once Google has switched.
            """);
        return 0;
    }

    /// <summary>Created with mode 0600, never readable by others even for a moment (no chmod after the write).</summary>
    private static void WriteSecret(string file, string armored)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(file, System.Text.Encoding.ASCII, options);
        writer.Write(armored);
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex FileStem();
}
