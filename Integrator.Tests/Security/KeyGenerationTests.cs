using System.Text;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>Keys made by the keygen command work with GnuPG in both directions and are shaped as Google asks.</summary>
public sealed class KeyGenerationTests
{
    [Test]
    public void GeneratedKeysWorkWithGpgBothWays()
    {
        var folder = Directory.CreateTempSubdirectory("keygen-").FullName;
        var now = DateTimeOffset.UtcNow;
        var key = PgpKeyGenerator.Generate("Integrator test <integrator-new@integrator.test>", "new-passphrase", 2048, TimeSpan.FromDays(365), now);
        var secretFile = Path.Combine(folder, "new.sec.asc");
        var publicFile = Path.Combine(folder, "new.pub.asc");
        File.WriteAllText(secretFile, key.SecretKeyArmored);
        File.WriteAllText(publicFile, key.PublicKeyArmored);

        var ours = PgpKeyring.Load([secretFile], "new-passphrase", [TestKeys.Public("google-1")]);
        Assert.Multiple(() =>
        {
            Assert.That(ours.Ours.Select(k => k.Usage), Is.EqualTo(new[] { KeyUsage.Sign, KeyUsage.Encrypt }));
            Assert.That(ours.Ours.Select(k => k.ExpiresAt!.Value.ToUnixTimeSeconds()), Has.All.EqualTo(now.AddDays(365).ToUnixTimeSeconds()));
            Assert.That(ours.Ours[0].KeyIdHex, Is.EqualTo(key.SigningKeyId));
        });

        var codec = new PgpCodec(new PgpOpener(ours, TimeProvider.System), new PgpSealer(ours, TimeProvider.System));
        using var gpg = new Gpg(publicFile, TestKeys.Secret("google-1"));

        var request = gpg.SignAndEncrypt("{\"to\":\"us\"}"u8.ToArray(), ["google-1"], ["integrator-new"]);
        var opened = codec.Open(Encoding.ASCII.GetBytes(System.Buffers.Text.Base64Url.EncodeToString(request)), "application/octet-stream");
        var (answer, status) = gpg.Decrypt(System.Buffers.Text.Base64Url.DecodeFromUtf8(codec.Seal("{\"to\":\"google\"}"u8)));

        Assert.That(opened.Error, Is.Null);
        Assert.That(Encoding.UTF8.GetString(opened.Json!), Is.EqualTo("{\"to\":\"us\"}"));
        Assert.That(status, Does.Contain("GOODSIG").And.Contain("VALIDSIG " + key.Fingerprint));
        Assert.That(Encoding.UTF8.GetString(answer), Is.EqualTo("{\"to\":\"google\"}"));
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheKeygenCommandWritesTheSecretKeyOwnerOnlyWithThePassphraseFromTheEnvironment()
    {
        var folder = Directory.CreateTempSubdirectory("keygen-cli-").FullName;
        await using var run = ServerRun.Dll(
            new Dictionary<string, string?> { ["INTEGRATOR_KEY_PASSPHRASE"] = "from-the-environment" },
            ["keygen", "--name", "Cli test <cli@integrator.test>", "--out", folder]);
        Assert.That(await run.ExitsWithinAsync(TimeSpan.FromSeconds(60)), Is.True);
        var secret = Path.Combine(folder, "cli-test.sec.asc");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.Stderr);
            Assert.That(File.GetUnixFileMode(secret), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(run.Stdout, Does.Contain("GoogleKeyFingerprints").And.Not.Contain("from-the-environment"));
            Assert.That(PgpKeyring.Load([secret], "from-the-environment", []).Ours, Has.Count.EqualTo(2), "unlocked with the environment's passphrase");
        });
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public void KeysUnderTwoThousandBitsAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PgpKeyGenerator.Generate("x <x@x>", "p", 1024, null, DateTimeOffset.UtcNow));
}
