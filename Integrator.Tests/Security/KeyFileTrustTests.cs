using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;
using static Integrator.Tests.Infrastructure.CraftedPgp;

namespace Integrator.Tests.Security;

/// <summary>
/// Key files are trusted only as far as their signatures verify, as GnuPG trusts them: a subkey appended without a
/// binding signature, a signing subkey without a back-signature, and a revocation by a stranger count for nothing; the
/// newest self-signature decides flags and expiry; Google's primary keys must be pinned outside Development; our own
/// keys may not both sign and encrypt.
/// </summary>
public sealed class KeyFileTrustTests
{
    private string _folder = null!;
    private CraftedPgp _pgp = null!;

    [OneTimeSetUp]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("key-trust-").FullName;
        _pgp = new CraftedPgp();
    }

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void AnAppendedSubkeyWithoutBindingSignatureIsIgnored()
    {
        // The review's attack: the stranger's primary key, re-tagged as a subkey packet, appended to Google's file.
        var google = Dearmored(TestKeys.Public("google-1"));
        var strangerPrimary = PacketReaderForTests.First(Dearmored(TestKeys.Public("stranger")), PacketTag6);
        var file = Write("google-with-unbound-subkey.pub", Concat(google, Packet(14, strangerPrimary)));

        var keyring = PgpKeyring.Load([TestKeys.Secret("integrator-1")], TestKeys.Passphrase, [file]);
        var message = PgpSealer.Seal("{}"u8, _pgp.Stranger, [_pgp.Recipient], DateTimeOffset.UtcNow);

        Assert.Multiple(() =>
        {
            Assert.That(keyring.Google.Select(k => k.KeyId), Does.Not.Contain(_pgp.Stranger.KeyId));
            Assert.That(keyring.Google, Has.Count.EqualTo(2), "google-1's primary key and its encryption subkey");
            Assert.That(new PgpOpener(keyring, TimeProvider.System).Open(message).Failure, Is.EqualTo(PgpOpenFailure.Signature));
        });
    }

    [Test]
    public void ASubkeyBoundByAnotherPrimaryIsIgnored()
    {
        // The stranger's encryption subkey with its own (valid, but the stranger's) binding signature.
        var stranger = new PgpPublicKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Public("stranger"))));
        var googleRing = new PgpPublicKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Public("google-1"))));
        var strangerSubkey = stranger.GetPublicKeys().Skip(1).First();
        var file = Write("google-with-foreign-subkey.pub", Concat(googleRing.GetEncoded(), strangerSubkey.GetEncoded()));

        var keyring = PgpKeyring.Load([], string.Empty, [file]);

        Assert.That(keyring.Google.Select(k => k.KeyId), Does.Not.Contain(strangerSubkey.KeyId));
    }

    [Test]
    public void ASigningSubkeyWithoutBackSignatureIsIgnored()
    {
        var (secret, primaryPrivate) = GoogleSecret();
        var primary = secret.GetPublicKey();
        var subkeyPair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, RsaPair(), DateTime.UtcNow.AddMinutes(-1));
        var flags = new PgpSignatureSubpacketGenerator();
        flags.SetKeyFlags(false, PgpKeyFlags.CanSign);
        var binding = new PgpSignatureGenerator(PublicKeyAlgorithmTag.RsaGeneral, HashAlgorithmTag.Sha256);
        binding.InitSign(PgpSignature.SubkeyBinding, primaryPrivate);
        binding.SetHashedSubpackets(flags.Generate());
        var signature = binding.GenerateCertification(primary, subkeyPair.PublicKey);
        var subkey = PgpPublicKey.AddCertification(AsSubkey(subkeyPair.PublicKey), signature);
        var file = Write("google-with-signing-subkey-no-backsig.pub", Concat(Dearmored(TestKeys.Public("google-1")), subkey.GetEncoded()));

        var keyring = PgpKeyring.Load([], string.Empty, [file]);

        Assert.That(keyring.Google.Select(k => k.KeyId), Does.Not.Contain(subkeyPair.KeyId));
    }

    [Test]
    public void ARevocationByAStrangerIsIgnoredAndGooglesOwnIsHonoured()
    {
        var strangerRing = new PgpSecretKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Secret("stranger"))));
        var strangerPrivate = strangerRing.GetSecretKey().ExtractPrivateKey(TestKeys.Passphrase.ToCharArray());
        var (googleSecret, googlePrivate) = GoogleSecret();
        var googlePublic = new PgpPublicKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Public("google-1"))));

        var forged = Revocation(strangerPrivate, googlePublic.GetPublicKey(), PublicKeyAlgorithmTag.RsaGeneral);
        var forgedFile = Write("google-forged-revocation.pub", PgpPublicKeyRing.InsertPublicKey(googlePublic, PgpPublicKey.AddCertification(googlePublic.GetPublicKey(), forged)).GetEncoded());
        var real = Revocation(googlePrivate, googlePublic.GetPublicKey(), googleSecret.GetPublicKey().Algorithm);
        var realFile = Write("google-real-revocation.pub", PgpPublicKeyRing.InsertPublicKey(googlePublic, PgpPublicKey.AddCertification(googlePublic.GetPublicKey(), real)).GetEncoded());

        Assert.Multiple(() =>
        {
            Assert.That(PgpKeyring.Load([], string.Empty, [forgedFile]).Google.Any(k => k.Revoked), Is.False);
            Assert.That(PgpKeyring.Load([], string.Empty, [realFile]).Google.All(k => k.Revoked), Is.True);
        });
    }

    [Test]
    public void TheNewestSelfSignatureDecidesTheExpiry()
    {
        var (_, googlePrivate) = GoogleSecret();
        var ring = new PgpPublicKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Public("google-1"))));
        var primary = ring.GetPublicKey();
        var userId = primary.GetUserIds().First();
        var packets = new PgpSignatureSubpacketGenerator();
        packets.SetSignatureCreationTime(false, DateTime.UtcNow);
        packets.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        packets.SetKeyExpirationTime(false, 1); // one second after the key's creation: long past
        var generator = new PgpSignatureGenerator(primary.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.PositiveCertification, googlePrivate);
        generator.SetHashedSubpackets(packets.Generate());
        var newer = generator.GenerateCertification(userId, primary);
        var file = Write("google-expired-by-newer-self-signature.pub", PgpPublicKeyRing.InsertPublicKey(ring, PgpPublicKey.AddCertification(primary, userId, newer)).GetEncoded());

        var keys = PgpKeyring.Load([], string.Empty, [file]).Google;

        Assert.That(keys.All(k => !k.IsActiveAt(DateTimeOffset.UtcNow)), Is.True, "the primary and, with it, its subkey are expired");
    }

    [Test]
    public void OurDualUseKeyIsRefused()
    {
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, RsaPair(), DateTime.UtcNow.AddMinutes(-1));
        var generator = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification, pair, "dual <dual@integrator.test>", SymmetricKeyAlgorithmTag.Null, Array.Empty<char>(), true, null, null, new SecureRandom());
        var file = Write("dual-use.sec", generator.GenerateSecretKeyRing().GetEncoded());

        var error = Assert.Throws<InvalidOperationException>(() => PgpKeyring.Load([file], string.Empty, []));

        Assert.That(error!.Message, Does.Contain("may both sign and encrypt").And.Contain(file));
    }

    [Test]
    public void UnpinnedGoogleKeysStopAProductionStart()
    {
        var settings = TestKeys.PgpSettings();
        settings.Remove("MessageSecurity:Pgp:GoogleKeyFingerprints:0");
        var exception = Assert.Catch(() => IntegratorApp.Start(settings, environment: "Production").DisposeAsync().AsTask().GetAwaiter().GetResult());
        Assert.That(exception!.ToString(), Does.Contain("not listed in MessageSecurity:Pgp:GoogleKeyFingerprints").And.Contain(TestKeys.PrimaryFingerprint("google-1")));
    }

    [Test]
    public void AWrongPinStopsEvenADevelopmentStart()
    {
        var settings = TestKeys.PgpSettings();
        settings["MessageSecurity:Pgp:GoogleKeyFingerprints:0"] = TestKeys.PrimaryFingerprint("stranger");
        var exception = Assert.Catch(() => IntegratorApp.Start(settings).DisposeAsync().AsTask().GetAwaiter().GetResult());
        Assert.That(exception!.ToString(), Does.Contain("not listed in MessageSecurity:Pgp:GoogleKeyFingerprints"));
    }

    [Test]
    public async Task UnpinnedGoogleKeysAreOnlyWarnedAboutInDevelopment()
    {
        var settings = TestKeys.PgpSettings();
        settings.Remove("MessageSecurity:Pgp:GoogleKeyFingerprints:0");
        await using var app = IntegratorApp.Start(settings);
        _ = await app.ScalarAsync<long>("SELECT COUNT(*) FROM accounts");
        Assert.That(app.Logs.ToString(), Does.Contain("not pinned").And.Contain(TestKeys.PrimaryFingerprint("google-1")));
    }

    /// <summary>Key files AFL++ made (fuzz/afl.sh keyfile) that once escaped as other exceptions.</summary>
    [TestCase("keyfile-unsupported-version.bin")]
    [TestCase("keyfile-null-signatures.bin")]
    public void MalformedKeyFilesFoundByFuzzingAreNamedRefusals(string finding)
    {
        var file = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "fuzz-findings", finding);
        var error = Assert.Throws<InvalidOperationException>(() => PgpKeyring.Load([], string.Empty, [file]));
        Assert.That(error!.Message, Does.Contain(file));
    }

    private const int PacketTag6 = 6;

    private static PgpSignature Revocation(PgpPrivateKey signer, PgpPublicKey revoked, PublicKeyAlgorithmTag algorithm)
    {
        var generator = new PgpSignatureGenerator(algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.KeyRevocation, signer);
        return generator.GenerateCertification(revoked);
    }

    private static (PgpSecretKeyRing Ring, PgpPrivateKey Primary) GoogleSecret()
    {
        var ring = new PgpSecretKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Secret("google-1"))));
        return (ring, ring.GetSecretKey().ExtractPrivateKey(TestKeys.Passphrase.ToCharArray()));
    }

    private static Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair RsaPair()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), new SecureRandom(), 2048, 80));
        return generator.GenerateKeyPair();
    }

    /// <summary>The same key material as a public subkey packet (tag 14).</summary>
    private static PgpPublicKey AsSubkey(PgpPublicKey key)
    {
        var body = PacketReaderForTests.First(key.GetEncoded(), PacketTag6);
        return new PgpPublicKeyRing(Concat(Dearmored(TestKeys.Public("google-1")), Packet(14, body))).GetPublicKeys().Last();
    }

    private static byte[] Dearmored(string file)
    {
        using var input = PgpUtilities.GetDecoderStream(File.OpenRead(file));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>Reads packets of key files with the codec's packet reader (old and new headers).</summary>
internal static class PacketReaderForTests
{
    public static byte[] First(byte[] data, int tag) =>
        PacketReader.ReadAll(data, 256).First(p => p.Tag == tag).Body.ToArray();
}
