using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// One Integrator server (the real Program, over in-memory HTTP) on its own database, with a manual clock. Tests talk
/// to it through HTTP as Google would, and read its database through its own storage layer for assertions, so the
/// same test runs on every engine.
/// </summary>
public sealed class IntegratorApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly bool _ownsDatabase;

    private IntegratorApp(
        string folder, TestDatabase database, bool ownsDatabase, IReadOnlyDictionary<string, string?> settings, string environment, IMessageCodec client, TestClock clock)
    {
        Clock = clock;
        Folder = folder;
        TestDatabase = database;
        _ownsDatabase = ownsDatabase;
        ClientCodec = client;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            web.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
            web.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        });
        Client = _factory.CreateClient();
    }

    /// <summary>A folder of this server's own: the seed file, and the SQLite database when it runs on SQLite.</summary>
    public string Folder { get; }

    public TestDatabase TestDatabase { get; }

    public string DatabasePath => Path.Combine(Folder, "integrator.db");

    /// <summary>Everything this server logged (all levels, Debug and up).</summary>
    public CapturedLogs Logs { get; } = new();

    public TestClock Clock { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>How this test client (in Google's role) seals requests and opens answers: plaintext, or PGP with Google's keys.</summary>
    public IMessageCodec ClientCodec { get; }

    private Database Database => Services.GetRequiredService<Database>();

    public const string SupportKeyName = "test-support";
    public const string SupportKey = "test-support-key-0123456789abcdef";

    /// <summary>Calls the support API with <paramref name="apiKey"/> (the test key by default; null for none).</summary>
    public async Task<SupportResponse> SupportAsync(HttpMethod method, string path, object? body = null, string? apiKey = SupportKey)
    {
        using var request = new HttpRequestMessage(method, "/support/v1/" + path);
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        if (body is not null)
        {
            request.Content = body is HttpContent content ? content : System.Net.Http.Json.JsonContent.Create(body);
        }

        using var response = await Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        return new SupportResponse((int)response.StatusCode, raw, response.Content.Headers.ContentType?.MediaType);
    }

    /// <param name="shareWith">Another app whose database (and seed) this one uses: a second instance.</param>
    /// <param name="storage">The engine to run on (SQLite by default).</param>
    public static IntegratorApp Start(
        IDictionary<string, string?>? settings = null,
        string? seedJson = null,
        IntegratorApp? shareWith = null,
        string environment = "Development",
        StorageTarget? storage = null)
    {
        var folder = shareWith?.Folder ?? Path.Combine(Path.GetTempPath(), "integrator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var seedPath = Path.Combine(folder, "seed.json");
        if (shareWith is null)
        {
            File.WriteAllText(seedPath, seedJson ?? TestLedger.SeedJson);
        }

        var database = shareWith?.TestDatabase ?? (storage ?? StorageTarget.Sqlite).CreateDatabaseAsync(folder).GetAwaiter().GetResult();
        var all = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = database.Provider.ToString(),
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Ledger:SeedFile"] = seedPath,
            ["MessageSecurity:Mode"] = "None",
            ["MessageSecurity:AllowPlaintext"] = "true",
            ["Gsp:PaymentIntegratorAccountIds:0"] = GspMessages.AccountId,
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System"] = "Warning",
            // Suites that test delivery or reconciliation turn their job on and point it at a FakeGoogle.
            ["Notifications:Enabled"] = "false",
            ["Remittance:Enabled"] = "false",
            ["Support:ApiKeys:0:Name"] = SupportKeyName,
            ["Support:ApiKeys:0:Key"] = SupportKey,
            ["Support:FailedKeysPerMinute"] = "1000",
            // Hashing the seed's passcodes at the production cost would add seconds to every start.
            ["Ledger:PasscodeHashIterations"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // Google's clock is the server's: signature times are checked against it (docs/pgp-profile.md rule 12).
        var clock = new TestClock();
        var client = all.GetValueOrDefault("MessageSecurity:Mode") == "Pgp" ? TestKeys.GoogleSide(time: clock) : (IMessageCodec)new PlaintextCodec();
        return new IntegratorApp(folder, database, shareWith is null, all, environment, client, clock);
    }

    /// <summary>Sends a request as Google would: sealed by <see cref="ClientCodec"/>.</summary>
    public Task<GspResult> PostAsync(string method, JsonNode body) =>
        PostRawAsync(method, ClientCodec.Seal(Encoding.UTF8.GetBytes(body.ToJsonString())), ClientCodec.ContentType);

    /// <summary>Sends these exact bytes; a sealed answer is opened, so <see cref="GspResult.Raw"/> is always JSON or text.</summary>
    public async Task<GspResult> PostRawAsync(string method, byte[] body, string? contentType, string basePath = "")
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Client.PostAsync($"{basePath}/redirect-payment-token-v1/{method}", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var type = response.Content.Headers.ContentType?.ToString();
        var raw = Encoding.UTF8.GetString(bytes);
        if (MediaTypes.Is(type, MediaTypes.OctetStream))
        {
            var opened = ClientCodec.Open(bytes, type);
            raw = opened.Json is { } json ? Encoding.UTF8.GetString(json) : $"<answer could not be opened: {opened.Error!.CodeName}>";
        }

        return new GspResult((int)response.StatusCode, raw, type) { Body = bytes };
    }

    /// <summary>Reserves and cancels; returns the cancel requestId.</summary>
    public async Task<string> ReserveAndCancelAsync()
    {
        var reservation = await ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        var result = await PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, Clock.NowMillis, reservation));
        result.AssertStatus(200);
        return cancelId;
    }

    /// <summary>Reserves <paramref name="amountMicros"/> and returns the reserveFunds requestId.</summary>
    public async Task<string> ReserveAsync(long amountMicros = 10_000_000, string token = "tok-rich")
    {
        var requestId = GspMessages.NewId("reserve");
        var result = await PostAsync("reserveFunds", GspMessages.Reserve(requestId, Clock.NowMillis, amountMicros, token));
        result.AssertStatus(200);
        Assert.That(result.Field("result"), Is.EqualTo("SUCCESS"), result.Raw);
        return requestId;
    }

    /// <summary>Reserves and captures <paramref name="amountMicros"/>; returns the capture's requestId (what a refund names).</summary>
    public async Task<string> CaptureAsync(long amountMicros = 10_000_000, string token = "tok-rich")
    {
        var reservation = await ReserveAsync(amountMicros, token);
        var captureId = GspMessages.NewId("capture");
        var result = await PostAsync("captureFundsReservation", GspMessages.Capture(captureId, Clock.NowMillis, reservation, amountMicros));
        result.AssertStatus(200);
        return captureId;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, param) ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    public Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null) => Database.QueryAsync<T>(sql, param, CancellationToken.None);

    public Task<int> ExecuteAsync(string sql, object? param = null) => Database.ExecuteAsync(sql, param, CancellationToken.None);

    /// <summary>Everything a Google call may change except the journal, to prove that a refused call changed nothing.</summary>
    public async Task<string> StateAsync()
    {
        var counts = await QueryAsync<long>("""
            SELECT COUNT(*) FROM reservations UNION ALL
            SELECT COUNT(*) FROM reservation_events UNION ALL
            SELECT COUNT(*) FROM idempotency_records UNION ALL
            SELECT COUNT(*) FROM outbox UNION ALL
            SELECT COUNT(*) FROM refunds UNION ALL
            SELECT COUNT(*) FROM remittance_statements UNION ALL
            SELECT COALESCE(SUM(refunded_micros), 0) FROM captures
            """);
        var reservations = await QueryAsync<(string Id, string State)>("SELECT reservation_id, state FROM reservations ORDER BY reservation_id");
        var accounts = await QueryAsync<(string Id, long Held, long Captured)>("SELECT account_id, held_micros, captured_micros FROM accounts ORDER BY account_id");
        return string.Join(" | ", counts) + " | " + string.Join(",", reservations.Select(r => $"{r.Id}:{r.State}"))
               + " | " + string.Join(",", accounts.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Id}:{a.Held}:{a.Captured}")));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        if (!_ownsDatabase)
        {
            return;
        }

        await TestDatabase.Drop();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the temp folder is disposable anyway.
        }
    }
}

/// <summary>A support API answer: status, body and its media type.</summary>
public sealed record SupportResponse(int Status, string Raw, string? MediaType)
{
    public JsonNode Json => JsonNode.Parse(Raw) ?? throw new InvalidOperationException("Empty body");

    public void AssertStatus(int expected) => Assert.That(Status, Is.EqualTo(expected), Raw);

    /// <summary>RFC 9457: application/problem+json with the status in the body.</summary>
    public void AssertProblem(int status)
    {
        Assert.That(Status, Is.EqualTo(status), Raw);
        Assert.That(MediaType, Is.EqualTo("application/problem+json"), Raw);
        Assert.That(Json["status"]!.GetValue<int>(), Is.EqualTo(status), Raw);
    }
}

/// <summary>What the server answered: status, raw body and its fields.</summary>
public sealed record GspResult(int Status, string Raw, string? ContentType)
{
    /// <summary>The body as it came over the wire (sealed, in PGP mode).</summary>
    public byte[] Body { get; init; } = [];

    public JsonNode Json => JsonNode.Parse(Raw) ?? throw new InvalidOperationException("Empty body");

    public string? Field(string name) => Json[name]?.GetValue<string>();

    public string? ErrorCode => Field("errorResponseCode");

    public void AssertStatus(int expected) => Assert.That(Status, Is.EqualTo(expected), Raw);

    public void AssertError(int status, string code)
    {
        Assert.That(Status, Is.EqualTo(status), Raw);
        Assert.That(ErrorCode, Is.EqualTo(code), Raw);
        Assert.That(Field("paymentIntegratorErrorIdentifier"), Is.Not.Empty, Raw);
    }
}
