using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// Byte-level fuzzing of the PGP layer, bounded for CI (INTEGRATOR_PGP_FUZZ_COUNT for longer runs): grammar-aware
/// inner mutations behind a valid session key and MDC, outer mutations, random bytes, and the same through the codec
/// as base64url and armor. Every input ends in an answer (no exception escapes the opener), within the budget: at most
/// one RSA operation per key of ours, one verification per (Google key, hash algorithm), the content hashed at most
/// once per algorithm — counted, so that the bound holds on a busy machine too. The clock only guards against a case
/// that runs away; how fast opening is, is the benchmark's (bench/, pgp-cost).
/// </summary>
public sealed class PgpFuzzTests
{
    // Far above any bounded case (the slowest is a few milliseconds), far below a loop without end.
    private static readonly TimeSpan RunawayGuard = TimeSpan.FromSeconds(5);
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("INTEGRATOR_PGP_FUZZ_COUNT"), out var n) ? n : 1500;

    private CraftedPgp _pgp = null!;

    [OneTimeSetUp]
    public void Keys() => _pgp = new CraftedPgp();

    [Test]
    public void InnerMutationsStayWithinTheBudget() => Run(seed: 12, m => m.Inner(), reachesEveryOutcome: true);

    [Test]
    public void OuterMutationsStayWithinTheBudget() => Run(seed: 34, m => m.Outer());

    [Test]
    public void RandomBytesStayWithinTheBudget()
    {
        var random = new Random(56);
        Run(seed: 56, _ =>
        {
            var bytes = new byte[random.Next(1, 48 * 1024)];
            random.NextBytes(bytes);
            bytes[0] = (byte)(0xC0 | random.Next(1, 20)); // a plausible first packet header, so parsing goes further
            return bytes;
        });
    }

    [Test]
    public void CodecInputsAreAlwaysOneOfTheTwoAnswers()
    {
        var codec = new PgpCodec(_pgp.Opener(), new PgpSealer(_pgp.Server, TimeProvider.System));
        var mutator = new PgpMutator(_pgp, seed: 78);
        var random = new Random(78);
        for (var i = 0; i < Count / 3; i++)
        {
            var message = mutator.Outer();
            var armored = Encoding.ASCII.GetBytes("-----BEGIN PGP MESSAGE-----\n\n" + Convert.ToBase64String(message) + "\n-----END PGP MESSAGE-----\n");
            if (random.Next(2) == 0)
            {
                armored[random.Next(armored.Length)] = (byte)random.Next(256);
            }

            foreach (var body in new[] { Base64Url.EncodeToUtf8(message), Base64Url.EncodeToUtf8(armored) })
            {
                var opened = codec.Open(body, "application/octet-stream");
                Assert.That(opened.Error?.HttpStatus, Is.AnyOf(400, 401, null), mutator.LastDescription);
            }
        }
    }

    private void Run(int seed, Func<PgpMutator, byte[]> make, bool reachesEveryOutcome = false)
    {
        var mutator = new PgpMutator(_pgp, seed);
        var opener = _pgp.Opener();
        var outcomes = new Dictionary<PgpOpenFailure, int>();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Count; i++)
        {
            var message = make(mutator);
            var cost = new OpenCost();
            var clock = Stopwatch.StartNew();
            PgpOpenFailure failure;
            try
            {
                failure = opener.Open(message, cost).Failure;
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"case {i} ({mutator.LastDescription}) threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(message)}");
                return;
            }

            var elapsed = clock.Elapsed;
            slowest = elapsed > slowest ? elapsed : slowest;
            outcomes[failure] = outcomes.GetValueOrDefault(failure) + 1;
            Assert.Multiple(() =>
            {
                Assert.That(cost.RsaPrivateOperations, Is.LessThanOrEqualTo(_pgp.Server.Ours.Count), mutator.LastDescription);
                Assert.That(cost.SignatureVerifications, Is.LessThanOrEqualTo(3), mutator.LastDescription);
                Assert.That(cost.BytesHashed, Is.LessThanOrEqualTo(3L * PgpOpener.MaxContentBytes), mutator.LastDescription);
                Assert.That(elapsed, Is.LessThan(RunawayGuard), mutator.LastDescription);
            });
        }

        TestContext.Out.WriteLine($"{Count} cases: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}; slowest {slowest.TotalMilliseconds:F1} ms");
        if (reachesEveryOutcome)
        {
            Assert.That(outcomes.Keys, Is.EquivalentTo(Enum.GetValues<PgpOpenFailure>()), "the mutations reach acceptance and both refusals");
        }
    }
}
