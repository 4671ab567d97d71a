using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Hosting;

/// <summary>
/// The server started for real, as a new operator starts it: a broken configuration is refused with one line per
/// problem on stderr (every problem at once, no stack trace, no secret) and a plain non-zero exit, not an abort; the
/// environment asked for is the one that runs, with `dotnet run` too; Development's conveniences stay on loopback;
/// each environment has its own database; a zero-configuration Development server delivers its notifications.
/// </summary>
[Parallelizable(ParallelScope.None)]
public sealed class StartupTests
{
    private static readonly TimeSpan Refusal = TimeSpan.FromSeconds(20);
    private string _folder = null!;

    [SetUp]
    public void Folder() => _folder = Directory.CreateTempSubdirectory("startup-").FullName;

    [TearDown]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task AProductionStartWithNothingConfiguredListsEveryMissingSettingAtOnce()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Bare()));

        Assert.That(stderr, Does.Contain("Gsp:PaymentIntegratorAccountIds")
            .And.Contain("MessageSecurity:Pgp:PrivateKeyFiles")
            .And.Contain("MessageSecurity:Pgp:GooglePublicKeyFiles")
            .And.Contain("Google:BaseUrl"));
    }

    [TestCase("Gsp__ClockSkew", "banana", "Gsp:ClockSkew")]
    [TestCase("Reservations__Lifetime", "-1", "Lifetime")]
    [TestCase("Google__BaseUrl", "http://vgw.googleapis.com/gsp", "must be an absolute https URL")]
    [TestCase("Storage__Provider", "Oracle", "Storage:Provider")]
    public async Task ABadValueIsNamed(string key, string value, string named)
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { [key] = value })));
        Assert.That(stderr, Does.Contain(named));
    }

    /// <summary>Sign-in settings that would leave nobody able to sign in, or trust a provider over plain HTTP, stop the start.</summary>
    [TestCase("Console__KeySignIn", "false", "Console:KeySignIn is false but Console:Oidc:Authority is not set")]
    [TestCase("Console__Oidc__Authority", "http://login.bank.example", "Console:Oidc:Authority must be the provider's issuer URL, HTTPS")]
    [TestCase("Console__Oidc__Authority", "https://login.bank.example", "Console:Oidc:OperatorValues or Console:Oidc:ViewerValues must name at least one value")]
    [TestCase("Redirect__Oidc__Authority", "https://login.bank.example", "Redirect:Oidc:ClientId and Redirect:Oidc:ClientSecret must be set")]
    [TestCase("Console__Oidc__RoleClam", "groups", "Console:Oidc:RoleClam is not a setting of Integrator (did you mean Console:Oidc:RoleClaim?)")]
    public async Task ASignInSettingThatCannotWorkIsNamed(string key, string value, string named)
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { [key] = value })));
        Assert.That(stderr, Does.Contain(named));
    }

    [Test]
    public async Task AMisspeltKeyIsAnErrorWithTheNearestSetting()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { ["Gsp__ClockSkw"] = "00:00:30" })));
        Assert.That(stderr, Does.Contain("Gsp:ClockSkw is not a setting of Integrator (did you mean Gsp:ClockSkew?)"));
    }

    [Test]
    public async Task AMisspeltKeyIsReportedWithTheMissingSettings()
    {
        var settings = Bare();
        settings["Gsp__ClockSkw"] = "00:00:30";
        var stderr = await RefusedAsync(ServerRun.Dll(settings));
        Assert.That(stderr, Does.Contain("Gsp:ClockSkw is not a setting").And.Contain("Gsp:PaymentIntegratorAccountIds").And.Contain("Google:BaseUrl"));
    }

    /// <summary>
    /// Every problem of a start at once: values that do not convert (enums by their allowed values), out of range (the
    /// full key and the value as read), a misspelt section, and the missing settings beside them.
    /// </summary>
    [Test]
    public async Task EveryKindOfConfigurationProblemIsReportedTogether()
    {
        var settings = Bare();
        settings["Gsp__ClockSkew"] = "banana";
        settings["Storage__Provider"] = "Postgress";
        settings["Notifications__BatchSize"] = "0";
        settings["Reservations__Lifetime"] = "400.00:00:00";
        settings["Gps__MaxRequestBytes"] = "1000";

        var stderr = await RefusedAsync(ServerRun.Dll(settings));

        Assert.Multiple(() =>
        {
            Assert.That(stderr, Does.Contain("Gsp:ClockSkew is 'banana', which is not a time span"));
            Assert.That(stderr, Does.Contain("Storage:Provider is 'Postgress', which is not one of Sqlite, SqlServer, Postgres"));
            Assert.That(stderr, Does.Contain("Notifications:BatchSize is '0'; it must be between 1 and 500"));
            Assert.That(stderr, Does.Contain("Reservations:Lifetime is '400.00:00:00'; it must be between 00:00:01 and 365.00:00:00"));
            Assert.That(stderr, Does.Contain("Gps is not a section of Integrator (did you mean Gsp?)"));
            Assert.That(stderr, Does.Contain("MessageSecurity:Pgp:PrivateKeyFiles"), "the missing settings are reported too");
            Assert.That(stderr, Does.Not.Contain("The field "), "no framework wording beside ours");
        });
    }

    [Test]
    public async Task APortInUseIsRefusedBeforeTheDatabaseIsTouched()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var database = Path.Combine(_folder, "never.db");
        var settings = Production(new() { ["Storage__ConnectionString"] = $"Data Source={database}" });

        var stderr = await RefusedAsync(ServerRun.Dll(settings, ["--urls", $"http://127.0.0.1:{port}"]));

        Assert.That(stderr, Does.Contain($"port {port} is already in use"));
        Assert.That(File.Exists(database), Is.False, "the database was not created, migrated or seeded");
    }

    /// <summary>A Development start with PGP has no Google stand-in: it starts anyway, and says notifications wait.</summary>
    [Test]
    public async Task ADevelopmentStartWithoutGoogleBaseUrlStartsAndSaysNotificationsWait()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Storage__ConnectionString"] = $"Data Source={_folder}/dev.db",
        };
        foreach (var (key, value) in TestKeys.PgpSettings())
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        await using var run = ServerRun.Dll(settings, ["--urls", $"http://127.0.0.1:{FakeGoogle.FreePort()}"]);
        Assert.That(await run.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, run.Stdout + run.Stderr);
        await Task.Delay(500);
        Assert.That(run.Stdout, Does.Contain("No Google:BaseUrl (Development)"));
    }

    [Test]
    public async Task ABadConnectionStringNamesTheSetting()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new()
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = "Host=127.0.0.1;Port=notaport",
        })));
        Assert.That(stderr, Does.Contain("Storage:ConnectionString"));
    }

    [Test]
    public async Task AMissingKeyFileIsNamed()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { ["MessageSecurity__Pgp__PrivateKeyFiles__0"] = "/nowhere/ours.sec.asc" })));
        Assert.That(stderr, Does.Contain("/nowhere/ours.sec.asc"));
    }

    [Test]
    public async Task AKeyFileLockedWithAnotherPassphraseIsNamedAndThePassphraseIsNot()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { ["MessageSecurity__Pgp__Passphrase"] = "the-wrong-passphrase-123" })));
        Assert.Multiple(() =>
        {
            Assert.That(stderr, Does.Contain("cannot be unlocked").And.Contain("integrator-1.sec.asc"));
            Assert.That(stderr, Does.Not.Contain("the-wrong-passphrase-123"));
        });
    }

    [TestCase("/nonexistent-folder/integrator.db", "does not exist")]
    [TestCase("/proc", "cannot be opened")]
    public async Task AnUnopenableDatabaseIsNamedAtOnce(string path, string problem)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stderr = await RefusedAsync(ServerRun.Dll(Production(new() { ["Storage__ConnectionString"] = $"Data Source={path}" })));
        Assert.Multiple(() =>
        {
            Assert.That(stderr, Does.Contain(path).And.Contain(problem));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "no waiting for a file that cannot be opened");
        });
    }

    [Test]
    public async Task HelpPrintsUsageAndStartsNothing()
    {
        await using var run = ServerRun.Dll(new Dictionary<string, string?>(), ["--help"]);
        Assert.That(await run.ExitsWithinAsync(Refusal), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That(run.Stdout, Does.Contain("Usage:").And.Contain("Gsp:PaymentIntegratorAccountIds"));
            Assert.That(run.Stdout, Does.Not.Contain("Now listening"));
        });
    }

    [Test]
    public async Task ProductionThroughDotnetRunIsProduction()
    {
        var stderr = await RefusedAsync(ServerRun.DotnetRun(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["MessageSecurity__Mode"] = "None",
        }));
        Assert.That(stderr, Does.Contain("MessageSecurity:Mode=None is allowed only in the Development environment (this is Production)"));
    }

    [Test]
    public async Task DotnetRunWithoutAnEnvironmentIsDevelopmentAndSaysSoLoudly()
    {
        var port = FakeGoogle.FreePort();
        await using var run = ServerRun.DotnetRun(new Dictionary<string, string?> { ["Storage__ConnectionString"] = $"Data Source={_folder}/dev.db" }, ["--urls", $"http://127.0.0.1:{port}"]);
        Assert.That(await run.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, run.Stdout + run.Stderr);
        Assert.That(run.Stdout, Does.Contain("DEVELOPMENT ONLY").And.Contain("plaintext JSON").And.Contain("development support key"));
    }

    [Test]
    public async Task DevelopmentConveniencesAreRefusedBeyondLoopback()
    {
        var stderr = await RefusedAsync(ServerRun.Dll(
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Storage__ConnectionString"] = $"Data Source={_folder}/dev.db" },
            ["--urls", $"http://0.0.0.0:{FakeGoogle.FreePort()}"]));
        Assert.That(stderr, Does.Contain("Refused: plaintext JSON").And.Contain("beyond loopback (http://0.0.0.0:"));
    }

    [Test]
    public async Task EachEnvironmentHasItsOwnDefaultDatabase()
    {
        // Content root = working directory: the default database lands under its data/ folder.
        var settings = Production([]);
        settings.Remove("Storage__ConnectionString");
        await using (var production = ServerRun.Dll(settings, ["--urls", $"http://127.0.0.1:{FakeGoogle.FreePort()}"], _folder))
        {
            Assert.That(await production.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, production.Stdout + production.Stderr);
        }

        await using (var development = ServerRun.Dll(
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["MessageSecurity__Mode"] = "None",
                ["MessageSecurity__AllowPlaintext"] = "true",
                ["Gsp__PaymentIntegratorAccountIds__0"] = GspMessages.AccountId,
                ["Google__StandIn"] = "true",
            },
            ["--urls", $"http://127.0.0.1:{FakeGoogle.FreePort()}"],
            _folder))
        {
            Assert.That(await development.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, development.Stdout + development.Stderr);
        }

        Assert.That(Directory.GetFiles(Path.Combine(_folder, "data"), "*.db").Select(Path.GetFileName), Is.EquivalentTo(new[] { "integrator.production.db", "integrator.development.db" }));
    }

    [Test]
    public async Task ProductionWithoutSupportKeysWarnsOnce()
    {
        await using var run = ServerRun.Dll(Production([]), ["--urls", $"http://127.0.0.1:{FakeGoogle.FreePort()}"]);
        Assert.That(await run.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, run.Stdout + run.Stderr);
        await Task.Delay(500);
        Assert.That(run.Stdout.Split('\n').Count(l => l.Contains("No Support:ApiKeys are configured", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task APrivateKeyReadableByOthersIsWarnedAbout()
    {
        var key = Path.Combine(_folder, "ours.sec.asc");
        File.Copy(TestKeys.Secret("integrator-1"), key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var run = ServerRun.Dll(Production(new() { ["MessageSecurity__Pgp__PrivateKeyFiles__0"] = key }), ["--urls", $"http://127.0.0.1:{FakeGoogle.FreePort()}"]);
        Assert.That(await run.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, run.Stdout + run.Stderr);
        await Task.Delay(500);
        Assert.That(run.Stdout, Does.Contain($"{key} is readable by other users than its owner"));
    }

    [Test]
    public async Task ADevelopmentServerWithZeroConfigurationDeliversItsNotification()
    {
        var port = FakeGoogle.FreePort();
        await using var run = ServerRun.Dll(
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Storage__ConnectionString"] = $"Data Source={_folder}/dev.db" },
            ["--urls", $"http://127.0.0.1:{port}"]);
        Assert.That(await run.ListensWithinAsync(TimeSpan.FromSeconds(60)), Is.True, run.Stdout + run.Stderr);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var header = new JsonObject { ["protocolVersion"] = new JsonObject { ["major"] = 1 }, ["requestId"] = "reserve-zero", ["requestTimestamp"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var reserve = new JsonObject
        {
            ["requestHeader"] = header, ["paymentIntegratorAccountId"] = "InvisiCashUSA_USD", ["googlePaymentToken"] = "tok-1",
            ["transactionDescription"] = "Google - Music", ["currencyCode"] = "USD", ["amount"] = "1000000",
        };
        (await http.PostAsync("/redirect-payment-token-v1/reserveFunds", JsonContent.Create(reserve))).EnsureSuccessStatusCode();
        var cancel = new JsonObject
        {
            ["requestHeader"] = new JsonObject { ["protocolVersion"] = new JsonObject { ["major"] = 1 }, ["requestId"] = "cancel-zero", ["requestTimestamp"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["paymentIntegratorAccountId"] = "InvisiCashUSA_USD", ["reserveFundsRequestId"] = "reserve-zero",
        };
        (await http.PostAsync("/redirect-payment-token-v1/cancelFundsReservation", JsonContent.Create(cancel))).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(
            async () => (await http.GetStringAsync("/dev/google")).Contains("cancel-zero", StringComparison.Ordinal),
            "the stand-in received the notification");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/v1/notifications?status=DELIVERED");
        request.Headers.Add("X-API-Key", "dev-support-key-not-for-production");
        var delivered = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.That(delivered, Does.Contain("cancel-zero"));
    }

    /// <summary>Production with nothing configured but a database of the test's own.</summary>
    private Dictionary<string, string?> Bare() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Storage__ConnectionString"] = $"Data Source={_folder}/production.db",
    };

    /// <summary>A Production environment with valid test keys and everything required, plus <paramref name="extra"/>.</summary>
    private Dictionary<string, string?> Production(Dictionary<string, string?> extra)
    {
        var environment = Bare();
        environment["Gsp__PaymentIntegratorAccountIds__0"] = GspMessages.AccountId;
        environment["Google__BaseUrl"] = "https://vgw.sandbox.google.com/gsp";
        environment["Notifications__Enabled"] = "false";
        foreach (var (key, value) in TestKeys.PgpSettings())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Asserts a refused start as an operator meets it, and returns its stderr.</summary>
    private static async Task<string> RefusedAsync(ServerRun run)
    {
        await using (run)
        {
            Assert.That(await run.ExitsWithinAsync(Refusal), Is.True, "the server should refuse to start: " + run.Stdout);
            var stderr = run.Stderr;
            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(2), "a plain exit code, not an abort (134)");
                Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
                Assert.That(stderr, Does.Not.Contain(TestKeys.Passphrase), "no secret");
                Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.LessThanOrEqualTo(8), "a few lines");
                Assert.That(run.Stdout, Does.Not.Contain("   at "), "no stack trace on stdout either");
            });
            return stderr;
        }
    }
}
