using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;
using static Integrator.Tests.Infrastructure.CraftedPgp;

namespace Integrator.Tests.Security;

/// <summary>
/// The message profile of docs/pgp-profile.md, one test per rule, and the findings of the security review reproduced
/// as it made them: each is refused with the one 400 (or 401 for signatures), never an exception, within a budget of
/// RSA operations and signature verifications that a normal request also fits in.
/// </summary>
public sealed class PgpProfileTests
{
    /// <summary>Far above a normal open (about a millisecond) and far below what the review's inputs cost (seconds or forever).</summary>
    // Only a guard against a message that runs away: the bound is the counted work (OpenCost); speed is bench/'s.
    private static readonly TimeSpan RunawayGuard = TimeSpan.FromSeconds(5);

    private static readonly byte[] Content = Encoding.UTF8.GetBytes("""{"requestHeader":{"protocolVersion":{"major":1}}}""");

    private CraftedPgp _pgp = null!;

    [OneTimeSetUp]
    public void Keys() => _pgp = new CraftedPgp();

    [Test]
    public void WhatGoogleSendsIsOpenedWithOneRsaOperationAndOneVerification()
    {
        var (content, failure, cost) = OpenTimed(_pgp.Valid(Content));

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.None));
            Assert.That(content, Is.EqualTo(Content));
            Assert.That(cost.RsaPrivateOperations, Is.EqualTo(1));
            Assert.That(cost.SignatureVerifications, Is.EqualTo(1));
        });
    }

    [TestCase((byte)1, Description = "ZIP")]
    [TestCase((byte)2, Description = "ZLIB")]
    public void ZipAndZlibAreInTheProfile(byte algorithm)
    {
        var inner = Concat(OnePass(_pgp.Google), Literal(Content), Signature(_pgp.Google, Content));
        Assert.That(OpenTimed(_pgp.Seal(Compressed(algorithm, inner))).Failure, Is.EqualTo(PgpOpenFailure.None));
    }

    [TestCase(HashSha256)]
    [TestCase(HashSha512)]
    public void Sha256And512SignaturesAreInTheProfile(byte hash)
    {
        var message = _pgp.Seal(Concat(OnePass(_pgp.Google, hash: hash), Literal(Content), Signature(_pgp.Google, Content, hash: hash)));
        Assert.That(OpenTimed(message).Failure, Is.EqualTo(PgpOpenFailure.None));
    }

    [Test]
    public void PartialLengthsOnTheLiteralAreInTheProfile()
    {
        var content = Encoding.UTF8.GetBytes(new string(' ', 3000) + "{}");
        var message = _pgp.Seal(Concat(OnePass(_pgp.Google), PartialPacket(11, Concat([(byte)'b', 0, 0, 0, 0, 0], content)), Signature(_pgp.Google, content)));
        Assert.That(OpenTimed(message).Failure, Is.EqualTo(PgpOpenFailure.None));
    }

    // --- The review's findings, as it reproduced them.

    [Test]
    public void Bzip2CutAfterItsBlockHeaderIsRefusedWithoutDecoding()
    {
        var bzip2 = Packet(8, Concat([3], "BZh91AY&SY"u8.ToArray()));
        var (_, failure, cost) = OpenTimed(_pgp.Seal(bzip2));

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(cost.BytesDecompressed, Is.Zero, "bzip2 is never decoded");
        });
    }

    [Test]
    public void SixtyTwoTextSignaturesOverOneMebibyteOfNewlinesCostNothing()
    {
        var newlines = Enumerable.Repeat((byte)'\n', 1024 * 1024).ToArray();
        var signatures = Enumerable.Range(0, 62).Select(_ => Signature(_pgp.Google, "x"u8, type: 1)).ToArray();
        var message = _pgp.Seal(Compressed(2, Concat([Literal(newlines), .. signatures])));
        Assert.That(message, Has.Length.LessThan(48 * 1024), "fits in one request body, as in the review");

        var (_, failure, cost) = OpenTimed(message);

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption), "more content and signatures than the profile allows");
            Assert.That(cost.SignatureVerifications, Is.Zero);
            Assert.That(cost.BytesHashed, Is.Zero);
        });
    }

    [Test]
    public void TextSignaturesWithinTheCountAreNeverHashed()
    {
        var newlines = Enumerable.Repeat((byte)'\n', PgpOpener.MaxContentBytes - (32 * 1024)).ToArray();
        var signatures = Enumerable.Range(0, PgpOpener.MaxSignatures).Select(_ => Signature(_pgp.Google, newlines, type: 1)).ToArray();
        var onePass = Enumerable.Range(0, PgpOpener.MaxSignatures).Select(_ => OnePass(_pgp.Google, type: 1)).ToArray();
        var (_, failure, cost) = OpenTimed(_pgp.Seal(Compressed(2, Concat([.. onePass, Literal(newlines), .. signatures]))));

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Signature), "a text signature is not in the profile");
            Assert.That(cost.SignatureVerifications, Is.Zero);
            Assert.That(cost.BytesHashed, Is.Zero);
        });
    }

    [Test]
    public void ManyBadSignaturesByGoogleAreVerifiedOncePerHashAndTheContentHashedOnce()
    {
        var content = Enumerable.Repeat((byte)'{', PgpOpener.MaxContentBytes / 2).ToArray();
        var forged = Enumerable.Range(0, PgpOpener.MaxSignatures).Select(_ => Signature(_pgp.Google, "other content"u8)).ToArray();
        var onePass = Enumerable.Range(0, PgpOpener.MaxSignatures).Select(_ => OnePass(_pgp.Google)).ToArray();
        var (_, failure, cost) = OpenTimed(_pgp.Seal(Compressed(2, Concat([.. onePass, Literal(content), .. forged]))));

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Signature));
            Assert.That(cost.SignatureVerifications, Is.EqualTo(1), "none after the first bad one");
            Assert.That(cost.BytesHashed, Is.EqualTo(content.Length), "the content hashed once");
        });
    }

    [Test]
    public void SixtyThreeWildcardSessionKeysCostNoRsaOperation()
    {
        var message = Concat([.. Enumerable.Range(0, 63).Select(_ => RandomSessionKeyPacket(0)), OuterPackets(_pgp.Valid(Content))[^1]]);
        var (_, failure, cost) = OpenTimed(message);

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(cost.RsaPrivateOperations, Is.Zero);
        });
    }

    [Test]
    public void WildcardSessionKeysAreTriedOncePerKeyOfOursAndOnlyWhenAllowed()
    {
        var valid = OuterPackets(_pgp.Valid(Content));
        var wildcards = Concat([.. Enumerable.Range(0, PgpOpener.MaxSessionKeyPackets).Select(_ => RandomSessionKeyPacket(0)), valid[^1]]);

        var refused = OpenTimed(wildcards);
        var allowed = OpenTimed(wildcards, allowWildcardRecipient: true);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Cost.RsaPrivateOperations, Is.Zero, "wildcard off by default");
            Assert.That(allowed.Failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(allowed.Cost.RsaPrivateOperations, Is.EqualTo(1), "one key of ours, one operation");
        });
    }

    [Test]
    public void SessionKeysRepeatedForOurKeyCostOneRsaOperation()
    {
        var valid = OuterPackets(_pgp.Valid(Content));
        var repeated = Concat([.. Enumerable.Range(0, PgpOpener.MaxSessionKeyPackets - 1).Select(_ => RandomSessionKeyPacket(_pgp.Recipient.KeyId)), valid[0], valid[^1]]);
        var (_, failure, cost) = OpenTimed(repeated);

        Assert.Multiple(() =>
        {
            Assert.That(cost.RsaPrivateOperations, Is.EqualTo(1));
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption), "only the first PKESK for our key is tried");
        });
    }

    [Test]
    public void ASessionKeyPacketForSomeoneElsesNonRsaKeyIsSkippedUnread()
    {
        var valid = OuterPackets(_pgp.Valid(Content));
        var ecdh = Packet(1, Concat([3], new byte[8], [18], new byte[40]));
        var (_, failure, cost) = OpenTimed(Concat(ecdh, valid[0], valid[^1]));
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.None));
            Assert.That(cost.RsaPrivateOperations, Is.EqualTo(1));
        });
    }

    [Test]
    public void MoreSessionKeyPacketsThanTheProfileAllowsAreRefused()
    {
        var valid = OuterPackets(_pgp.Valid(Content));
        var message = Concat([.. Enumerable.Range(0, PgpOpener.MaxSessionKeyPackets).Select(_ => RandomSessionKeyPacket(0x1234)), valid[0], valid[^1]]);
        var (_, failure, cost) = OpenTimed(message);
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(cost.RsaPrivateOperations, Is.Zero);
        });
    }

    [Test]
    public void ArmorHoldingAByteAbove0x7FIsTheOne400()
    {
        var armored = Encoding.Latin1.GetBytes("-----BEGIN PGP MESSAGE-----\n\n\u0080\u00ffhQEMA\n=AAAA\n-----END PGP MESSAGE-----\n");
        var codec = new PgpCodec(_pgp.Opener(), new PgpSealer(_pgp.Server, TimeProvider.System));

        var opened = codec.Open(Encoding.ASCII.GetBytes(Base64Url.EncodeToString(armored)), "application/octet-stream");

        Assert.That(opened.Error, Is.EqualTo(Integrator.Core.Gsp.GspError.InvalidPayloadEncryption()));
    }

    [TestCase("-----BEGIN PGP MESSAGE-----\n\nnot base64 at all!\n-----END PGP MESSAGE-----\n", Description = "bad base64")]
    [TestCase("-----BEGIN PGP MESSAGE-----\nno blank line\n-----END PGP MESSAGE-----\n", Description = "header without colon")]
    [TestCase("-----BEGIN PGP MESSAGE-----\n\nAAAA\n=AAAA\n-----END PGP MESSAGE-----\n", Description = "CRC-24 mismatch")]
    [TestCase("-----BEGIN PGP MESSAGE-----\n\nAAAA\n", Description = "no END line")]
    public void MalformedArmorIsTheOne400(string armor)
    {
        var codec = new PgpCodec(_pgp.Opener(), new PgpSealer(_pgp.Server, TimeProvider.System));
        var opened = codec.Open(Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Encoding.ASCII.GetBytes(armor))), "application/octet-stream");
        Assert.That(opened.Error, Is.EqualTo(Integrator.Core.Gsp.GspError.InvalidPayloadEncryption()));
    }

    // --- Signature checks GnuPG makes.

    public static IEnumerable<TestCaseData> SignaturesGnuPgRefuses()
    {
        var now = DateTimeOffset.UtcNow;
        TestCaseData Case(string name, Func<CraftedPgp, byte[]> hashed, Func<CraftedPgp, byte[]>? unhashed = null) =>
            new TestCaseData(hashed, unhashed).SetName($"{{m}}({name})");

        yield return Case("expired", p => Concat(CreationTime(now.AddHours(-1)), ExpirationTime(60), IssuerFingerprint(p.Google)));
        yield return Case("no creation time", p => IssuerFingerprint(p.Google));
        yield return Case("creation time unhashed", p => IssuerFingerprint(p.Google), p => Concat(CreationTime(now), Issuer(p.Google.KeyId)));
        yield return Case("created before the key", p => Concat(CreationTime(p.Google.CreatedAt.AddDays(-1)), IssuerFingerprint(p.Google)));
        yield return Case("created in the future", p => Concat(CreationTime(now.AddDays(1)), IssuerFingerprint(p.Google)));
        yield return Case("unknown critical subpacket", p => Concat(CreationTime(now), IssuerFingerprint(p.Google), Subpacket(101, [1, 2, 3], critical: true)));
        yield return Case("critical notation", p => Concat(CreationTime(now), IssuerFingerprint(p.Google), Subpacket(20, [0x80, 0, 0, 0, 0, 1, 0, 1, (byte)'a', (byte)'b'], critical: true)));
        yield return Case("issuer fingerprint with Google's key id but another key", p => Concat(CreationTime(now), Subpacket(33, Concat([4], new byte[12], p.Google.Fingerprint[^8..]))), p => Issuer(p.Google.KeyId));
        yield return Case("two creation times", p => Concat(CreationTime(now), CreationTime(now), IssuerFingerprint(p.Google)));
    }

    [TestCaseSource(nameof(SignaturesGnuPgRefuses))]
    public void SignatureRefused(Func<CraftedPgp, byte[]> hashed, Func<CraftedPgp, byte[]>? unhashed)
    {
        var signature = Signature(_pgp.Google, Content, hashed: hashed(_pgp), unhashed: unhashed?.Invoke(_pgp) ?? Issuer(_pgp.Google.KeyId));
        var (_, failure, _) = OpenTimed(_pgp.Seal(Concat(OnePass(_pgp.Google), Literal(Content), signature)));
        Assert.That(failure, Is.EqualTo(PgpOpenFailure.Signature));
    }

    [Test]
    public void AnExpiringSignatureWithinItsValidityIsAccepted()
    {
        var signature = Signature(_pgp.Google, Content, hashed: Concat(CreationTime(DateTimeOffset.UtcNow), ExpirationTime(3600), IssuerFingerprint(_pgp.Google)));
        Assert.That(OpenTimed(_pgp.Seal(Concat(OnePass(_pgp.Google), Literal(Content), signature))).Failure, Is.EqualTo(PgpOpenFailure.None));
    }

    [Test]
    public void AnUnknownNonCriticalSubpacketIsIgnored()
    {
        var hashed = Concat(CreationTime(DateTimeOffset.UtcNow), IssuerFingerprint(_pgp.Google), Subpacket(101, [1, 2, 3]));
        Assert.That(OpenTimed(_pgp.Seal(Concat(OnePass(_pgp.Google), Literal(Content), Signature(_pgp.Google, Content, hashed: hashed)))).Failure, Is.EqualTo(PgpOpenFailure.None));
    }

    [TestCase((byte)1, HashSha384, Description = "text signature (canonical line endings are not in the profile)")]
    [TestCase((byte)0, (byte)2, Description = "SHA-1")]
    [TestCase((byte)0, (byte)11, Description = "SHA-224")]
    public void SignaturesOutsideTheProfileDoNotCount(byte type, byte hash)
    {
        var (_, failure, cost) = OpenTimed(_pgp.Seal(Concat(OnePass(_pgp.Google, type, hash), Literal(Content), Signature(_pgp.Google, Content, type, hash))));
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Signature));
            Assert.That(cost.SignatureVerifications, Is.Zero);
        });
    }

    // --- Structure.

    public static IEnumerable<TestCaseData> Malformed()
    {
        TestCaseData Case(string name, Func<CraftedPgp, byte[]> inner) => new TestCaseData(inner).SetName($"{{m}}({name})");

        yield return Case("one-pass packet announcing another hash", p => Concat(OnePass(p.Google, hash: HashSha256), Literal(Content), Signature(p.Google, Content)));
        yield return Case("one-pass packet announcing another signer", p => Concat(OnePass(p.Stranger), Literal(Content), Signature(p.Google, Content)));
        yield return Case("two one-pass packets, one signature", p => Concat(OnePass(p.Google), OnePass(p.Google), Literal(Content), Signature(p.Google, Content)));
        yield return Case("signature before the literal", p => Concat(Signature(p.Google, Content), Literal(Content)));
        yield return Case("signature after the literal without a one-pass packet", p => Concat(Literal(Content), Signature(p.Google, Content)));
        yield return Case("two literals", p => Concat(Literal(Content), Literal(Content), Signature(p.Google, Content)));
        yield return Case("no literal", p => Concat(OnePass(p.Google), Signature(p.Google, Content)));
        yield return Case("marker packet", p => Concat(Packet(10, "PGP"u8), Literal(Content), Signature(p.Google, Content)));
        yield return Case("user id packet after the signature", p => Concat(Literal(Content), Signature(p.Google, Content), Packet(13, "x"u8)));
        yield return Case("nested compression", p => Compressed(2, Compressed(2, Concat(Literal(Content), Signature(p.Google, Content)))));
        yield return Case("compression algorithm 0", p => Compressed(0, Concat(Literal(Content), Signature(p.Google, Content))));
        yield return Case("bzip2", p => Packet(8, Concat([3], "BZh91AY&SYgarbage"u8.ToArray())));
        yield return Case("literal format x", p => Concat(Literal(Content, (byte)'x'), Signature(p.Google, Content)));
        yield return Case("partial length on a signature", p => Concat(Literal(Content), PartialPacket(2, Concat(SignatureBody(p.Google, Content), new byte[600]))));
        yield return Case("partial length on a one-pass packet", p => Concat(PartialPacket(4, new byte[700]), Literal(Content), Signature(p.Google, Content)));
        yield return Case("subpacket length of 2^32 - 1 (found by AFL++)", p => Concat(OnePass(p.Google), Literal(Content), Packet(2, Concat([4, 0, 1, 9, 0, 5, 255, 255, 255, 255, 2, 0, 0, 0, 0]))));
        yield return Case("trailing octets in a signature", p => Concat(Literal(Content), Packet(2, Concat(SignatureBody(p.Google, Content), [0]))));
        yield return Case("content above the cap", p => Compressed(2, Concat(Literal(new byte[PgpOpener.MaxContentBytes + 1]), Signature(p.Google, Content))));
        yield return Case("more signatures than the profile allows", p => Concat([Literal(Content), .. Enumerable.Repeat(Signature(p.Google, Content), PgpOpener.MaxSignatures + 1)]));
    }

    [TestCaseSource(nameof(Malformed))]
    public void StructureOutsideTheProfileIsTheOne400(Func<CraftedPgp, byte[]> inner)
    {
        var (_, failure, _) = OpenTimed(_pgp.Seal(inner(_pgp)));
        Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
    }

    [Test]
    public void APartialLengthOnASessionKeyPacketIsRefused()
    {
        var valid = OuterPackets(_pgp.Valid(Content));
        var pkesk = valid[0];
        var body = pkesk[3..]; // new-format header with a two-octet length: 0xC1, two octets
        var message = Concat(PartialPacket(1, Concat(body, new byte[600])), valid[^1]);
        var (_, failure, cost) = OpenTimed(message);
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(cost.RsaPrivateOperations, Is.Zero);
        });
    }

    [Test]
    public void ANonAesSessionKeyIsRejectedImplicitly()
    {
        // CAST5 (3) with a well-formed 16-octet key: the block decodes, but the cipher is not in the profile, so the
        // synthetic key is used and the MDC fails, as for any bad session key.
        var key = new byte[16];
        var sum = key.Sum(b => b);
        var plain = Concat([3], key, [(byte)(sum >> 8), (byte)sum]);
        var encrypted = _pgp.Recipient.Rsa.Encrypt(plain, System.Security.Cryptography.RSAEncryptionPadding.Pkcs1);
        var body = Concat([3], BitConverter.GetBytes(_pgp.Recipient.KeyId).Reverse().ToArray(), [1, 8, 0], encrypted);
        var message = Concat(Packet(1, body), OuterPackets(_pgp.Valid(Content))[^1]);

        var (_, failure, cost) = OpenTimed(message);

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(PgpOpenFailure.Encryption));
            Assert.That(cost.RsaPrivateOperations, Is.EqualTo(1));
        });
    }

    private (byte[]? Content, PgpOpenFailure Failure, OpenCost Cost) OpenTimed(byte[] message, bool allowWildcardRecipient = false)
    {
        var clock = Stopwatch.StartNew();
        var result = _pgp.Open(message, allowWildcardRecipient);
        Assert.That(clock.Elapsed, Is.LessThan(RunawayGuard), "opening ran away");
        return result;
    }
}
