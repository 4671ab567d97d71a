using System.Security.Cryptography;
using System.Text;
using Integrator.Core.Backend.StandIn;
using Integrator.Core.Ledger;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// The bank's core for the tests: the reference stand-in of the Http contract (<see cref="StandInCore"/>) served over real
/// HTTP on 127.0.0.1 (HttpListener), requiring a bearer token. A lost answer drops the connection. Its events for
/// confirmed releases are signed here, with this fixture's own HMAC code, and posted where <see cref="EventsTo"/> says.
/// </summary>
public sealed class FakeCore : IAsyncDisposable
{
    public const string Token = "core-token-5d1e8f7a9b3c2e4f";
    public const string EventSecret = "core-event-secret-8c2f4a6e1d9b";

    private readonly StandInListener _listener;

    private FakeCore(int port)
    {
        Port = port;
        Core = new StandInCore(TimeProvider.System) { RequiredToken = Token };
        foreach (var account in Accounts)
        {
            Core.Open(account.AccountId, account.Currency, account.Balance, account.Status, account.Limit, account.Customer);
        }

        _listener = new StandInListener(port, "/core", "application/json", Core.HandleAsync);
    }

    /// <summary>The core's accounts: the same ids and standing as <see cref="TestLedger"/>'s seed, held here, not in Integrator.</summary>
    public static IReadOnlyList<(string AccountId, string Currency, long Balance, AccountStatus Status, long? Limit, string? Customer)> Accounts { get; } =
    [
        ("acct-rich", "USD", 1_000_000_000_000, AccountStatus.Active, null, TestLedger.Customer),
        ("acct-limited", "USD", 1_000_000_000, AccountStatus.Active, 100_000_000, TestLedger.Customer),
        ("acct-poor", "USD", 5_000_000, AccountStatus.Active, null, TestLedger.Customer),
        ("acct-on-hold", "USD", 1_000_000_000, AccountStatus.OnHold, null, TestLedger.OtherCustomer),
        ("acct-closed", "USD", 1_000_000_000, AccountStatus.Closed, null, TestLedger.OtherCustomer),
        ("acct-inr", "INR", 1_000_000_000_000, AccountStatus.Active, null, TestLedger.Customer),
    ];

    public int Port { get; }

    public StandInCore Core { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/core");

    /// <summary>Where the core posts its events, as a client and a path (none: the caller must poll).</summary>
    public (Func<HttpClient> Client, string Path)? EventsTo
    {
        set => Core.Events = value is not { } target ? null : async holdId =>
        {
            var body = Encoding.UTF8.GetBytes($"{{\"holdId\":\"{holdId}\"}}");
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("X-Signature", Signature(body, EventSecret));
            using var response = await target.Client().SendAsync(request);
            EventAnswers.Add((int)response.StatusCode);
        };
    }

    /// <summary>What Integrator answered each event.</summary>
    public List<int> EventAnswers { get; } = [];

    /// <summary>The settings that point Integrator at this core.</summary>
    public Dictionary<string, string?> Settings(TimeSpan? timeout = null) => new()
    {
        ["Backend:Provider"] = "Http",
        ["Backend:Http:BaseUrl"] = BaseUrl.ToString(),
        ["Backend:Http:Token"] = Token,
        ["Backend:Http:EventSecret"] = EventSecret,
        ["Backend:Timeout"] = (timeout ?? TimeSpan.FromSeconds(2)).ToString(),
        ["Backend:FirstRetryDelay"] = "00:00:00.200",
        ["Backend:MaxRetryDelay"] = "00:00:01",
        ["Backend:PollInterval"] = "00:00:00.100",
        ["Backend:Lease"] = "00:00:05",
    };

    /// <summary>The contract's signature, computed here independently of Integrator's own code.</summary>
    public static string Signature(byte[] body, string secret)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return "sha256=" + string.Concat(hmac.ComputeHash(body).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static Task<FakeCore> StartAsync(int? port = null) => Task.FromResult(new FakeCore(port ?? FakeGoogle.FreePort()));

    /// <summary>The effects of one kind (HOLD, RELEASE, CAPTURE, REFUND) on one id (a hold's or a refund's).</summary>
    public IReadOnlyList<StandInEffect> EffectsOn(string kind, string id) => [.. Core.Effects.Where(e => e.Kind == kind && e.Id == id)];

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
