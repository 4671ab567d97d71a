using Integrator.Core.Backend.StandIn;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Mollie for the tests: the stand-in Mollie (<see cref="StandInMollie"/>) served over real HTTP on 127.0.0.1
/// (HttpListener, under <c>/v2</c>), requiring a test API key. A lost answer drops the connection. Webhooks are posted
/// as Mollie posts them (a form with <c>id=tr_…</c>) to where <see cref="WebhooksTo"/> says.
/// </summary>
public sealed class FakeMollie : IAsyncDisposable
{
    public const string ApiKey = "test_fakeMollieKey0123456789abcdef";

    private readonly StandInListener _listener;

    private FakeMollie(int port)
    {
        Port = port;
        Mollie = new StandInMollie(TimeProvider.System) { RequiredKey = ApiKey };
        // The cards of TestLedger's accounts, behaving as the accounts do.
        Mollie.AddMandate("cst_ada", "mdt_rich");
        Mollie.AddMandate("cst_ada", "mdt_limited", limitMicros: 100_000_000);
        Mollie.AddMandate("cst_ada", "mdt_poor", cardLabel: "Mastercard", cardNumber: "5555", limitMicros: 5_000_000);
        Mollie.AddMandate("cst_ada", "mdt_inr");
        Mollie.AddMandate("cst_ada", "mdt_jpy");
        Mollie.AddMandate("cst_bob", "mdt_onhold", failureReason: "possible_fraud");
        Mollie.AddMandate("cst_bob", "mdt_closed", failureReason: "card_expired");
        _listener = new StandInListener(port, "/v2", "application/hal+json", Mollie.HandleAsync);
    }

    public int Port { get; }

    public StandInMollie Mollie { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/v2");

    /// <summary>What Integrator answered each webhook.</summary>
    public List<int> WebhookAnswers { get; } = [];

    /// <summary>Where webhooks go: a client and the path (the payment's webhookUrl names the path Integrator gave).</summary>
    public Func<HttpClient>? WebhooksTo
    {
        set => Mollie.Webhooks = value is not { } client ? null : async (url, paymentId) =>
        {
            using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("id", paymentId)]);
            using var response = await client().PostAsync(new Uri(url).PathAndQuery, content);
            lock (WebhookAnswers)
            {
                WebhookAnswers.Add((int)response.StatusCode);
            }
        };
    }

    /// <summary>The settings that point Integrator at this Mollie; its webhook URL is Integrator's own path on localhost.</summary>
    public Dictionary<string, string?> Settings(TimeSpan? timeout = null) => new()
    {
        ["Backend:Provider"] = "Mollie",
        ["Backend:Mollie:ApiKey"] = ApiKey,
        ["Backend:Mollie:BaseUrl"] = BaseUrl.ToString(),
        ["Backend:Mollie:WebhookUrl"] = "http://localhost/backend/v1/mollie",
        ["Backend:Timeout"] = (timeout ?? TimeSpan.FromSeconds(2)).ToString(),
        ["Backend:FirstRetryDelay"] = "00:00:00.200",
        ["Backend:MaxRetryDelay"] = "00:00:01",
        ["Backend:PollInterval"] = "00:00:00.100",
        ["Backend:Lease"] = "00:00:05",
    };

    public static Task<FakeMollie> StartAsync(int? port = null) => Task.FromResult(new FakeMollie(port ?? FakeGoogle.FreePort()));

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
