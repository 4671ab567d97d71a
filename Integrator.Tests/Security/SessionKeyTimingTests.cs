using System.Diagnostics;
using System.Security.Cryptography;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// The session-key decryption takes the same time for a well-formed and a badly padded block (no Bleichenbacher or
/// Marvin oracle): Welch's t over many interleaved samples, as dudect does, after cropping the slowest tail of each
/// class (interrupts, GC). .NET's <c>RSA.Decrypt(…, Pkcs1)</c> throws on bad padding and fails this test
/// (docs/pgp-profile.md records the figure).
/// </summary>
[NonParallelizable]
public sealed class SessionKeyTimingTests
{
    /// <summary>dudect's threshold: above it, a difference is (almost) certainly there.</summary>
    public const double Threshold = 4.5;

    private const int SamplesPerClass = 4000;

    [Test]
    public void WellFormedAndBadlyPaddedSessionKeysTakeTheSameTime()
    {
        var pgp = new CraftedPgp();
        var key = pgp.Server.DecryptionKeys(DateTimeOffset.UtcNow).First();
        var (good, bad) = Ciphertexts(pgp);
        Assert.Multiple(() =>
        {
            Assert.That(PgpOpener.DecryptSessionKey(key, good).Item2, Is.EqualTo(1), "the good block is well formed");
            Assert.That(PgpOpener.DecryptSessionKey(key, bad).Item2, Is.Zero, "the bad block is not");
        });

        var t = WelchT(() => PgpOpener.DecryptSessionKey(key, good), () => PgpOpener.DecryptSessionKey(key, bad));

        TestContext.Out.WriteLine($"Welch's t = {t:F2} over {SamplesPerClass} samples per class (threshold {Threshold})");
        Assert.That(Math.Abs(t), Is.LessThan(Threshold), "good and bad padding are distinguishable by time");
    }

    /// <summary>A session key encrypted as GnuPG does, and the same length of random bytes below the modulus.</summary>
    internal static (byte[] Good, byte[] Bad) Ciphertexts(CraftedPgp pgp)
    {
        var key = new byte[32];
        RandomNumberGenerator.Fill(key);
        var sum = key.Sum(b => b);
        var good = pgp.Recipient.Rsa.Encrypt([9, .. key, (byte)(sum >> 8), (byte)(sum & 0xFF)], RSAEncryptionPadding.Pkcs1);
        var bad = (byte[])good.Clone();
        bad[0] = 0x01; // still below the modulus; decrypts to an unrelated block whose padding is wrong (all but certainly)
        return (good, bad);
    }

    /// <summary>Welch's t of the two classes' times, sampled in random interleaved order, each cropped at its 90th percentile.</summary>
    internal static double WelchT(Action first, Action second)
    {
        for (var i = 0; i < 200; i++)
        {
            first();
            second();
        }

        var order = new bool[2 * SamplesPerClass];
        order.AsSpan(0, SamplesPerClass).Fill(true);
        Random.Shared.Shuffle(order);
        var times = (new List<double>(SamplesPerClass), new List<double>(SamplesPerClass));
        foreach (var isFirst in order)
        {
            var start = Stopwatch.GetTimestamp();
            (isFirst ? first : second)();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            (isFirst ? times.Item1 : times.Item2).Add(elapsed);
        }

        var (a, b) = (Cropped(times.Item1), Cropped(times.Item2));
        var (meanA, varA) = MeanAndVariance(a);
        var (meanB, varB) = MeanAndVariance(b);
        return (meanA - meanB) / Math.Sqrt((varA / a.Count) + (varB / b.Count));
    }

    private static List<double> Cropped(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Take((int)(sorted.Count * 0.9)).ToList();
    }

    private static (double Mean, double Variance) MeanAndVariance(List<double> samples)
    {
        var mean = samples.Average();
        return (mean, samples.Sum(s => (s - mean) * (s - mean)) / (samples.Count - 1));
    }
}
