using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Hosting;

/// <summary>Configuration is validated at startup (README "Configuration"): a bad setting stops the server with a clear message.</summary>
public sealed class ConfigurationTests
{
    [TestCase("Production")]
    [TestCase("Staging")]
    public void PlaintextOutsideDevelopmentStopsStartup(string environment)
    {
        var error = StartupError(new Dictionary<string, string?>(), environment);
        Assert.That(error, Does.Contain("MessageSecurity:Mode=None is allowed only in the Development environment"));
    }

    [Test]
    public void RetentionUnderThirtyDaysStopsStartup() =>
        Assert.That(StartupError(new Dictionary<string, string?> { ["Idempotency:Retention"] = "1.00:00:00" }), Does.Contain("Retention"));

    [Test]
    public void MissingSeedFileStopsStartup() =>
        Assert.That(StartupError(new Dictionary<string, string?> { ["Ledger:SeedFile"] = "/nowhere/seed.json" }), Does.Contain("/nowhere/seed.json"));

    [Test]
    public void InvalidSeedStopsStartupNamingTheProblem()
    {
        var seed = """{ "accounts": [ { "accountId": "a", "currencyCode": "usd", "balanceMicros": "1", "status": "ACTIVE" } ] }""";
        Assert.That(StartupError(new Dictionary<string, string?>(), seed: seed), Does.Contain("ISO 4217"));
    }

    [Test]
    public void PgpWithoutKeysStopsStartup()
    {
        var error = StartupError(new Dictionary<string, string?> { ["MessageSecurity:Mode"] = "Pgp" });
        Assert.That(error, Does.Contain("PrivateKeyFiles").And.Contain("GooglePublicKeyFiles"));
    }

    [Test]
    public void LeaseShorterThanTheHttpTimeoutStopsStartup() =>
        Assert.That(
            StartupError(new Dictionary<string, string?> { ["Notifications:Lease"] = "00:00:05", ["Notifications:HttpTimeout"] = "00:00:10" }),
            Does.Contain("Notifications:Lease must exceed"));

    [Test]
    public async Task BasePathPrefixesTheGoogleRoutes()
    {
        await using var app = IntegratorApp.Start(new Dictionary<string, string?> { ["Gsp:BasePath"] = "/integrator-base-path" });
        var body = System.Text.Encoding.UTF8.GetBytes(GspMessages.Echo("e-1", app.Clock.NowMillis).ToJsonString());

        var prefixed = await app.PostRawAsync("echo", body, "application/json", basePath: "/integrator-base-path");
        var bare = await app.PostRawAsync("echo", body, "application/json");

        prefixed.AssertStatus(200);
        Assert.That(bare.Status, Is.EqualTo(404));
    }

    [Test]
    public async Task TheSeedIsUpsertedAndKeepsCapturesAcrossRestarts()
    {
        await using var first = IntegratorApp.Start();
        var reservation = await first.ReserveAsync(amountMicros: 1_000_000, token: "tok-limited");
        (await first.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), first.Clock.NowMillis, reservation, 1_000_000))).AssertStatus(200);

        await using var restarted = IntegratorApp.Start(shareWith: first);
        await restarted.ReserveAsync(amountMicros: 1, token: "tok-limited"); // the restarted server is up and seeded

        Assert.That(await restarted.ScalarAsync<long>("SELECT opening_balance_micros - captured_micros FROM accounts WHERE account_id = 'acct-limited'"), Is.EqualTo(999_000_000));
    }

    private static string StartupError(Dictionary<string, string?> settings, string environment = "Development", string? seed = null)
    {
        var exception = Assert.Catch(() =>
        {
            var app = IntegratorApp.Start(settings, seed, environment: environment);
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return exception!.ToString();
    }
}
