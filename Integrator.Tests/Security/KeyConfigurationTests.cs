using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>A missing, unreadable or wrongly locked key stops startup with a message that names the file.</summary>
public sealed class KeyConfigurationTests
{
    [Test]
    public void MissingPrivateKeyFileIsNamed()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:PrivateKeyFiles:0"] = "/nowhere/ours.sec.asc";
        Assert.That(StartupError(settings), Does.Contain("MessageSecurity:Pgp:PrivateKeyFiles").And.Contain("/nowhere/ours.sec.asc"));
    }

    [Test]
    public void MissingGoogleKeyFileIsNamed()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:GooglePublicKeyFiles:0"] = "/nowhere/google.pub.asc";
        Assert.That(StartupError(settings), Does.Contain("MessageSecurity:Pgp:GooglePublicKeyFiles").And.Contain("/nowhere/google.pub.asc"));
    }

    [Test]
    public void UnreadableKeyFileIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("not-a-key-").FullName;
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:PrivateKeyFiles:0"] = folder;
        Assert.That(StartupError(settings), Does.Contain("cannot be read").And.Contain(folder));
    }

    [Test]
    public void WrongPassphraseIsNamed()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:Passphrase"] = "not-the-passphrase";
        Assert.That(StartupError(settings), Does.Contain("cannot be unlocked").And.Contain("integrator-1.sec.asc"));
    }

    [Test]
    public void PublicKeyWhereASecretKeyBelongsIsNamed()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:PrivateKeyFiles:0"] = TestKeys.Public("integrator-1");
        Assert.That(StartupError(settings), Does.Contain("not an armored OpenPGP secret key").And.Contain("integrator-1.pub.asc"));
    }

    [Test]
    public void GarbageKeyFileIsNamed()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n");
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:GooglePublicKeyFiles:0"] = file;
        Assert.That(StartupError(settings), Does.Contain(file));
    }

    [Test]
    public void OnlyRetiredGoogleKeysStopStartup() =>
        Assert.That(
            StartupError(TestKeys.PgpSettings(google: ["google-expired", "google-revoked"])),
            Does.Contain("an active Google signing key").And.Contain("an active Google encryption key"));

    [Test]
    public void OnlyRetiredKeysOfOursStopStartup() =>
        Assert.That(
            StartupError(TestKeys.PgpSettings(ours: ["integrator-expired", "integrator-revoked"])),
            Does.Contain("an active encryption key of ours").And.Contain("an active signing key of ours"));

    [Test]
    public async Task PgpIsTheDefaultAndRunsInProduction()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Mode"] = null; // unset: the default applies
        await Assert.DoesNotThrowAsync(async () =>
        {
            await using var app = IntegratorApp.Start(settings, environment: "Production");
            _ = await app.ScalarAsync<long>("SELECT COUNT(*) FROM accounts");
        });
    }

    private static string StartupError(Dictionary<string, string?> settings)
    {
        var exception = Assert.Catch(() =>
        {
            var app = IntegratorApp.Start(settings);
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return exception!.ToString();
    }
}
