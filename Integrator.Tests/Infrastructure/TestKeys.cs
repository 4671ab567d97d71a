using Integrator.Core.Security.Pgp;

namespace Integrator.Tests.Infrastructure;

/// <summary>The test-only keys of TestData/keys (made by make-keys.sh) and configurations built from them.</summary>
public static class TestKeys
{
    public const string Passphrase = "test-passphrase";

    public static string Secret(string name) => File(name + ".sec.asc");

    public static string Public(string name) => File(name + ".pub.asc");

    public static string File(string fileName) => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "keys", fileName);

    /// <summary>Server settings for MessageSecurity:Mode=Pgp with these keys of ours and of Google's.</summary>
    public static Dictionary<string, string?> PgpSettings(string[]? ours = null, string[]? google = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MessageSecurity:Mode"] = "Pgp",
            ["MessageSecurity:Pgp:Passphrase"] = Passphrase,
        };
        var i = 0;
        foreach (var name in ours ?? ["integrator-1"])
        {
            settings[$"MessageSecurity:Pgp:PrivateKeyFiles:{i++}"] = Secret(name);
        }

        i = 0;
        foreach (var name in google ?? ["google-1"])
        {
            settings[$"MessageSecurity:Pgp:GoogleKeyFingerprints:{i}"] = PrimaryFingerprint(name);
            settings[$"MessageSecurity:Pgp:GooglePublicKeyFiles:{i++}"] = Public(name);
        }

        return settings;
    }

    /// <summary>The primary key fingerprint of a test key, as Google would give it in the key exchange.</summary>
    public static string PrimaryFingerprint(string name) =>
        Convert.ToHexString(PgpKeyring.Load([], string.Empty, [Public(name)]).Google[0].PrimaryFingerprint);

    /// <summary>Google's side of the conversation: signs with Google's secret keys, encrypts to ours, and back.</summary>
    public static PgpCodec GoogleSide(string[]? google = null, string[]? ours = null, TimeProvider? time = null)
    {
        var keyring = GoogleKeyring(google, ours);
        time ??= TimeProvider.System;
        return new PgpCodec(new PgpOpener(keyring, time), new PgpSealer(keyring, time));
    }

    public static PgpKeyring GoogleKeyring(string[]? google = null, string[]? ours = null) =>
        PgpKeyring.Load((google ?? ["google-1"]).Select(Secret), Passphrase, (ours ?? ["integrator-1"]).Select(Public));
}
