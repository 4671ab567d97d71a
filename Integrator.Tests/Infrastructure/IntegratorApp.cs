using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Integrator.Core.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// One Integrator server (the real Program, over in-memory HTTP) on its own SQLite file, with a manual clock.
/// Tests talk to it only through HTTP and read its database file for assertions.
/// </summary>
public sealed class IntegratorApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private readonly bool _ownsFolder;

    private IntegratorApp(
        string folder, bool ownsFolder, IReadOnlyDictionary<string, string?> settings, ManualTimeProvider clock, string environment, IMessageCodec client)
    {
        Folder = folder;
        ClientCodec = client;
        _ownsFolder = ownsFolder;
        Clock = clock;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            web.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock));
            web.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        });
        Client = _factory.CreateClient();
    }

    public string Folder { get; }

    /// <summary>Everything this server logged (all levels, Debug and up).</summary>
    public CapturedLogs Logs { get; } = new();

    public string DatabasePath => Path.Combine(Folder, "integrator.db");

    public ManualTimeProvider Clock { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>How this test client (in Google's role) seals requests and opens answers: plaintext, or PGP with Google's keys.</summary>
    public IMessageCodec ClientCodec { get; }

    /// <param name="shareWith">Another app whose database file (and seed) this one uses: a second instance.</param>
    public static IntegratorApp Start(
        IDictionary<string, string?>? settings = null, string? seedJson = null, IntegratorApp? shareWith = null, string environment = "Development")
    {
        var folder = shareWith?.Folder ?? Path.Combine(Path.GetTempPath(), "integrator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var seedPath = Path.Combine(folder, "seed.json");
        if (shareWith is null)
        {
            File.WriteAllText(seedPath, seedJson ?? TestLedger.SeedJson);
        }

        var all = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "integrator.db")}",
            ["Ledger:SeedFile"] = seedPath,
            ["MessageSecurity:Mode"] = "None",
            ["Gsp:PaymentIntegratorAccountIds:0"] = GspMessages.AccountId,
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System"] = "Warning",
            // Suites that test delivery turn the dispatcher on and point it at a FakeGoogle.
            ["Notifications:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var client = all.GetValueOrDefault("MessageSecurity:Mode") == "Pgp" ? TestKeys.GoogleSide() : (IMessageCodec)new PlaintextCodec();
        return new IntegratorApp(folder, shareWith is null, all, new ManualTimeProvider(), environment, client);
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

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        return await connection.ExecuteScalarAsync<T>(sql, param) ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        return (await connection.QueryAsync<T>(sql, param)).AsList();
    }

    /// <summary>Everything a Google call may change except the journal, to prove that a refused call changed nothing.</summary>
    public async Task<string> StateAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        var parts = new List<string>();
        foreach (var sql in new[]
                 {
                     "SELECT COUNT(*) FROM reservations",
                     "SELECT group_concat(reservation_id || ':' || state, ',') FROM (SELECT * FROM reservations ORDER BY reservation_id)",
                     "SELECT COUNT(*) FROM reservation_events",
                     "SELECT COUNT(*) FROM idempotency_records",
                     "SELECT COUNT(*) FROM notifications",
                     "SELECT group_concat(account_id || ':' || held_micros || ':' || captured_micros, ',') FROM (SELECT * FROM accounts ORDER BY account_id)",
                 })
        {
            parts.Add(Convert.ToString(await connection.ExecuteScalarAsync(sql), CultureInfo.InvariantCulture) ?? "null");
        }

        return string.Join(" | ", parts);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        if (!_ownsFolder)
        {
            return;
        }

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
