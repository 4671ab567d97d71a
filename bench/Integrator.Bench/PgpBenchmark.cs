using System.Security.Cryptography;
using System.Text;
using Integrator.Core.Security.Pgp;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Integrator.Bench;

/// <summary>
/// The cost of message security per Google call: open a signed and encrypted request (RSA-2048 decryption of the
/// session key, AES-256, MDC, SHA-384 signature check) and seal its answer (SHA-384 signature with our RSA-2048 key,
/// AES-256, session key encrypted to Google). Requests are sealed before timing, as Google would. Baselines in the same
/// run: .NET/OpenSSL RSA-2048 private-key operations (the crypto ceiling of a call is half their rate), and
/// BouncyCastle's managed RSA for comparison.
/// </summary>
internal static class PgpBenchmark
{
    public static void Run(string keys, int rounds)
    {
        var now = DateTimeOffset.UtcNow;
        var ours = PgpKeyring.Load([Path.Combine(keys, "integrator-1.sec.asc")], "test-passphrase", [Path.Combine(keys, "google-1.pub.asc")]);
        var google = PgpKeyring.Load([Path.Combine(keys, "google-1.sec.asc")], "test-passphrase", [Path.Combine(keys, "integrator-1.pub.asc")]);
        var codec = new PgpCodec(new PgpOpener(ours, TimeProvider.System), new PgpSealer(ours, TimeProvider.System));
        var client = new PgpCodec(new PgpOpener(google, TimeProvider.System), new PgpSealer(google, TimeProvider.System));

        var request = Encoding.UTF8.GetBytes("""{"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"G1NMPDFX4AW395L","requestTimestamp":"1481907920000"},"paymentIntegratorAccountId":"SpeedyPaymentsIndia_INR","reserveFundsRequestId":"G1MQ0YERJ0Q7LPM"}""");
        var response = Encoding.UTF8.GetBytes("""{ "responseHeader": { "responseTimestamp": "1481907920760" }, "result": "SUCCESS" }""");
        const int calls = 2000;
        var sealedRequests = Enumerable.Range(0, calls).Select(_ => client.Seal(request)).ToArray();
        Warm(codec, sealedRequests[0], response);

        var single = Measure.Median(rounds, calls, 1, i => OpenAndSeal(codec, sealedRequests[i], response));
        var parallel = Measure.Median(rounds, calls, Environment.ProcessorCount, i => OpenAndSeal(codec, sealedRequests[i], response));

        using var rsa = RSA.Create(2048);
        var digest = SHA384.HashData(request);
        var rsaSingle = Measure.Median(rounds, 4000, 1, _ => rsa.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));
        var rsaParallel = Measure.Median(rounds, 8000, Environment.ProcessorCount, _ => rsa.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));
        var bouncy = BouncyCastleRsa(rsa, rounds);

        var ceiling = rsaParallel.OpsPerSecond / 2;
        Console.WriteLine($"PGP open + seal per call, RSA-2048 (medians of {rounds} rounds, {calls} calls each, {Environment.ProcessorCount} cores)");
        Console.WriteLine($"| measurement | calls/s | CPU per call | ratio |");
        Console.WriteLine($"|---|---:|---:|---:|");
        Console.WriteLine($"| open + seal, 1 thread | {single.OpsPerSecond:N0} | {single.CpuMicrosPerOp / 1000:N3} ms | |");
        Console.WriteLine($"| open + seal, {Environment.ProcessorCount} threads | {parallel.OpsPerSecond:N0} | {parallel.CpuMicrosPerOp / 1000:N3} ms | {parallel.OpsPerSecond / ceiling:P0} of the crypto ceiling |");
        Console.WriteLine($"| crypto ceiling: RSA private ops/s ÷ 2 (OpenSSL, {Environment.ProcessorCount} threads) | {ceiling:N0} | {rsaParallel.CpuMicrosPerOp * 2 / 1000:N3} ms | 100% |");
        Console.WriteLine($"| RSA-2048 private op, OpenSSL, 1 thread | {rsaSingle.OpsPerSecond:N0} ops/s | {rsaSingle.CpuMicrosPerOp / 1000:N3} ms | |");
        Console.WriteLine($"| RSA-2048 private op, BouncyCastle managed, 1 thread | {bouncy.OpsPerSecond:N0} ops/s | {bouncy.CpuMicrosPerOp / 1000:N3} ms | {bouncy.OpsPerSecond / rsaSingle.OpsPerSecond:P0} of OpenSSL |");
    }

    private static void OpenAndSeal(PgpCodec codec, byte[] body, byte[] response)
    {
        if (codec.Open(body, "application/octet-stream").Json is null)
        {
            throw new InvalidOperationException("The benchmark request did not open.");
        }

        codec.Seal(response);
    }

    private static void Warm(PgpCodec codec, byte[] body, byte[] response)
    {
        for (var i = 0; i < 50; i++)
        {
            OpenAndSeal(codec, body, response);
        }
    }

    private static Measure.Round BouncyCastleRsa(RSA rsa, int rounds)
    {
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var key = new RsaPrivateCrtKeyParameters(
            new BigInteger(1, p.Modulus), new BigInteger(1, p.Exponent), new BigInteger(1, p.D), new BigInteger(1, p.P),
            new BigInteger(1, p.Q), new BigInteger(1, p.DP), new BigInteger(1, p.DQ), new BigInteger(1, p.InverseQ));
        var engine = new RsaBlindedEngine();
        engine.Init(true, new ParametersWithRandom(key, new SecureRandom()));
        var input = new byte[255];
        input[0] = 1;
        return Measure.Median(rounds, 200, 1, _ => engine.ProcessBlock(input, 0, input.Length));
    }
}
