using System.Diagnostics;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace Integrator.Tests.Security;

/// <summary>
/// Differential fuzzing of the opener against independent OpenPGP implementations holding the same keys (ours to
/// decrypt, Google's to verify): GnuPG and BouncyCastle 2.7.0 always, Sequoia (sq) and rnp where installed. Every
/// grammar-aware mutation that we accept must be accepted by each peer too; we may refuse more (the profile is
/// stricter than any of them). Bounded for CI; INTEGRATOR_PGP_DIFF_COUNT sets a longer run.
/// </summary>
[NonParallelizable]
public sealed class PgpDifferentialTests
{
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_PGP_DIFF_COUNT"), out var n) ? n : 60;

    private CraftedPgp _pgp = null!;
    private string _folder = null!;
    private List<(string Name, Func<byte[], bool> Accepts)> _peers = null!;
    private Gpg _gpg = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _pgp = new CraftedPgp();
        _folder = Directory.CreateTempSubdirectory("pgp-diff-").FullName;
        // The peers get the secret key without a passphrase: unlocking it per message would cost them seconds.
        var unlocked = Path.Combine(_folder, "integrator-1.unlocked.pgp");
        var ring = new PgpSecretKeyRing(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Secret("integrator-1"))));
        File.WriteAllBytes(unlocked, PgpSecretKeyRing.CopyWithNewPassword(ring, TestKeys.Passphrase.ToCharArray(), [], SymmetricKeyAlgorithmTag.Null, new SecureRandom()).GetEncoded());
        _gpg = new Gpg(unlocked, TestKeys.Public("google-1"));
        var googleFingerprint = TestKeys.PrimaryFingerprint("google-1");
        _peers =
        [
            ("GnuPG", m =>
            {
                var (_, status) = _gpg.Judge(m);
                return status.Contains("[GNUPG:] DECRYPTION_OKAY", StringComparison.Ordinal)
                    && status.Contains($"[GNUPG:] VALIDSIG {googleFingerprint}", StringComparison.Ordinal)
                    && !status.Contains("[GNUPG:] BADSIG", StringComparison.Ordinal);
            }),
            ("BouncyCastle", BouncyCastle(ring)),
        ];
        // CI installs every peer (.ci/run); elsewhere a missing one is left out and named in the test output.
        foreach (var command in new[] { "sq", "rnp" }.Where(c => !Installed(c)))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail($"{command} is not installed; .ci/run installs it");
            }

            TestContext.Out.WriteLine($"{command} is not installed: not compared");
        }

        if (Installed("sq"))
        {
            _peers.Add(("Sequoia sq", m => Run("sq", ["decrypt", "--recipient-key", unlocked, "--signer-cert", TestKeys.Public("google-1")], m) == 0));
        }

        if (Installed("rnp"))
        {
            var home = Path.Combine(_folder, "rnp");
            Directory.CreateDirectory(home);
            Run("rnpkeys", ["--homedir", home, "--import", unlocked], []);
            Run("rnpkeys", ["--homedir", home, "--import", TestKeys.Public("google-1")], []);
            _peers.Add(("rnp", m => Run("rnp", ["--homedir", home, "--decrypt", "--output", "-"], m) == 0));
        }
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _gpg.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public void WhatWeAcceptEveryPeerAccepts()
    {
        var mutator = new PgpMutator(_pgp, seed: 2026);
        var opener = _pgp.Opener();
        var accepted = 0;
        var differences = new List<string>();
        var peerAccepted = _peers.ToDictionary(p => p.Name, _ => 0);
        var peerTime = _peers.ToDictionary(p => p.Name, _ => TimeSpan.Zero);

        // The unmutated message first: every peer must accept what Google sends, or the peer is misconfigured.
        var messages = new List<(byte[] Message, string Description)> { (_pgp.Valid("{}"u8.ToArray()), "valid") };
        for (var i = 0; i < Count; i++)
        {
            messages.Add((mutator.Inner(), mutator.LastDescription));
        }

        foreach (var (message, description) in messages)
        {
            var ours = opener.Open(message).Failure == PgpOpenFailure.None;
            accepted += ours ? 1 : 0;
            foreach (var (name, accepts) in _peers)
            {
                var clock = Stopwatch.StartNew();
                var theirs = accepts(message);
                peerTime[name] += clock.Elapsed;
                peerAccepted[name] += theirs ? 1 : 0;
                if (ours && !theirs)
                {
                    differences.Add($"{name} refuses what we accept: {description}");
                }
            }
        }

        TestContext.Out.WriteLine($"{messages.Count} messages; we accept {accepted}; peers accept {string.Join(", ", peerAccepted.Select(p => $"{p.Key} {p.Value} ({peerTime[p.Key].TotalSeconds:F1} s)"))}");
        Assert.Multiple(() =>
        {
            Assert.That(differences, Is.Empty);
            Assert.That(accepted, Is.GreaterThan(1), "the mutations include accepted messages");
            Assert.That(accepted, Is.LessThan(messages.Count), "and refused ones");
        });
    }

    /// <summary>BouncyCastle's own reading: decrypt to our key, check the MDC, accept a valid signature by a Google key.</summary>
    private static Func<byte[], bool> BouncyCastle(PgpSecretKeyRing ours)
    {
        var privateKeys = ours.GetSecretKeys().Where(k => !k.IsPrivateKeyEmpty).ToDictionary(k => k.KeyId, k => k.ExtractPrivateKey(TestKeys.Passphrase.ToCharArray()));
        var google = new PgpPublicKeyRingBundle(PgpUtilities.GetDecoderStream(File.OpenRead(TestKeys.Public("google-1"))));
        return message =>
        {
            try
            {
                var factory = new PgpObjectFactory(message);
                var list = factory.NextPgpObject() as PgpEncryptedDataList ?? throw new PgpException("no encrypted data");
                foreach (var data in list.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>())
                {
                    if (!privateKeys.TryGetValue(data.KeyId, out var privateKey))
                    {
                        continue;
                    }

                    var inner = new PgpObjectFactory(data.GetDataStream(privateKey));
                    var next = inner.NextPgpObject();
                    if (next is PgpCompressedData compressed)
                    {
                        inner = new PgpObjectFactory(compressed.GetDataStream());
                        next = inner.NextPgpObject();
                    }

                    if (next is PgpOnePassSignatureList)
                    {
                        next = inner.NextPgpObject();
                    }

                    using var content = new MemoryStream();
                    ((PgpLiteralData)next).GetInputStream().CopyTo(content);
                    var signatures = (PgpSignatureList)inner.NextPgpObject();
                    var good = false;
                    for (var s = 0; s < signatures.Count; s++)
                    {
                        if (google.GetPublicKey(signatures[s].KeyId) is { } key)
                        {
                            signatures[s].InitVerify(key);
                            signatures[s].Update(content.ToArray());
                            good |= signatures[s].Verify();
                        }
                    }

                    return data.Verify() && good;
                }

                return false;
            }
#pragma warning disable CA1031 // whatever BouncyCastle throws (it throws many types) is its refusal
            catch (Exception)
#pragma warning restore CA1031
            {
                return false;
            }
        };
    }

    private static bool Installed(string command) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(folder => File.Exists(Path.Combine(folder, command)));

    private static int Run(string command, string[] args, byte[] input) => PeerProcess.Run(command, args, input).ExitCode;
}
