using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// No secret reaches a log: not our private keys or their passphrase, not a googlePaymentToken, not a support API key,
/// not a decrypted body. Checks every line logged by every test server of this run so far (all levels, Debug and up,
/// and the console output of server processes), after driving each path that handles one of them here, in PGP mode.
/// </summary>
[NonParallelizable]
public sealed class SecretsInLogsTests
{
    [Test]
    public async Task NoSecretOrDecryptedBodyIsEverLogged()
    {
        await using (var app = IntegratorApp.Start(TestKeys.PgpSettings()))
        {
            var reservation = await app.ReserveAsync(token: "tok-rich");
            var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, reservation);
            (await app.PostAsync("cancelFundsReservation", cancel)).AssertStatus(200);
            (await app.PostAsync("cancelFundsReservation", cancel)).AssertStatus(200);
            (await app.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("refused"), app.Clock.NowMillis, token: "tok-poor", currency: "INR")))
                .AssertError(400, "INVALID_FIELD_VALUE");
            (await app.PostRawAsync("echo", Encoding.UTF8.GetBytes("not a PGP message"), "application/octet-stream; charset=utf-8")).AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
            (await app.SupportAsync(HttpMethod.Get, $"requests/{GspMessages.AccountId}/{cancel["requestHeader"]!["requestId"]}")).AssertStatus(200);
            (await app.SupportAsync(HttpMethod.Get, "notifications", apiKey: "wrong-key-0123456789abcdef0123")).AssertProblem(401);
        }

        var privateKeyLine = File.ReadAllLines(TestKeys.Secret("integrator-1")).First(l => l.Length >= 60 && !l.StartsWith("-----", StringComparison.Ordinal));
        var secrets = new Dictionary<string, string>
        {
            ["private key armor"] = "PRIVATE KEY BLOCK",
            ["private key material"] = privateKeyLine,
            ["passphrase"] = TestKeys.Passphrase,
            ["googlePaymentToken"] = "tok-rich",
            ["another googlePaymentToken"] = "tok-poor",
            ["support API key"] = IntegratorApp.SupportKey,
            ["a wrong API key"] = "wrong-key-0123456789abcdef0123",
            ["decrypted reserveFunds body"] = "Google - Music",
            ["decrypted echo body"] = "client message",
        };
        var lines = CapturedLogs.WholeRun.ToList();
        Assert.That(lines, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (what, secret) in secrets)
            {
                Assert.That(lines.Where(l => l.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"{what} appears in the logs");
            }
        });
        TestContext.Out.WriteLine($"{lines.Count} log lines checked");
    }
}
