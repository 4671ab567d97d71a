using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using Integrator.Core.Security.Pgp;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A real server in PGP mode on 127.0.0.1, with GnuPG in Google's role: it seals redirect requests the way Google's
/// documentation shows and opens what the browser brings back to the fake Google callback, which also receives the
/// server's notifications. Notifications retry fast so that tests see retries within seconds.
/// </summary>
public sealed class RedirectServer : IAsyncDisposable
{
    private readonly string _folder;

    private RedirectServer(string folder, ServerProcess server, FakeGoogle google, Gpg gpg, PgpCodec googleSide)
    {
        _folder = folder;
        Server = server;
        Google = google;
        Gpg = gpg;
        GoogleSide = googleSide;
    }

    public ServerProcess Server { get; }

    public FakeGoogle Google { get; }

    /// <summary>Google's side in GnuPG: holds Google's and a stranger's secret keys and our public key.</summary>
    public Gpg Gpg { get; }

    /// <summary>Google's side for server calls (status, reserveFunds), in our own OpenPGP code.</summary>
    public PgpCodec GoogleSide { get; }

    public string BaseUrl => $"http://127.0.0.1:{Server.Port}";

    public static async Task<RedirectServer> StartAsync(IReadOnlyDictionary<string, string?> settings, int? port = null)
    {
        var folder = Directory.CreateTempSubdirectory("redirect-").FullName;
        var gpg = new Gpg(TestKeys.Secret("google-1"), TestKeys.Secret("stranger"), TestKeys.Public("integrator-1"));
        var googleSide = TestKeys.GoogleSide();
        var google = await FakeGoogle.StartAsync(codec: googleSide);
        var environment = TestKeys.PgpSettings().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["Google__BaseUrl"] = google.BaseUrl.ToString();
        environment["Notifications__PollInterval"] = "00:00:00.100";
        environment["Notifications__FirstRetryDelay"] = "00:00:00.200";
        environment["Notifications__MaxRetryDelay"] = "00:00:01";
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var server = await ServerProcess.StartAsync(ServerProcess.Environment(folder, environment), port);
        return new RedirectServer(folder, server, google, gpg, googleSide);
    }

    /// <summary>The link Google sends the customer's browser to: the request signed by <paramref name="signers"/>, encrypted to us.</summary>
    public string Link(JsonNode request, string? callbackUrl = null, string[]? signers = null) =>
        $"{BaseUrl}/redirect-payment-token-v1/redirect?redirectRequest={Seal(request, signers)}"
        + $"&callbackUrl={Uri.EscapeDataString(callbackUrl ?? Google.CallbackUrl)}";

    public string Seal(JsonNode request, string[]? signers = null) =>
        Base64Url.EncodeToString(Gpg.SignAndEncrypt(Encoding.UTF8.GetBytes(request.ToJsonString()), signers ?? ["google-1"], ["integrator-1"]));

    /// <summary>What Google reads from a hand-back: its query, the opened redirectResponse and gpg's status lines.</summary>
    public HandBack Open(Uri callback)
    {
        var query = HttpUtility.ParseQueryString(callback.Query);
        var (content, status) = Gpg.Decrypt(Base64Url.DecodeFromChars(query["redirectResponse"]!));
        return new HandBack(query["redirectRequestId"], query["paymentIntegratorAccountId"], query["state"], JsonNode.Parse(content)!, status);
    }

    /// <summary>The result member of a GeneratePaymentTokenRedirectResult (<c>{"success": {}}</c> → success).</summary>
    public static string ResultOf(JsonNode? result) => result?.AsObject().Single().Key ?? "none";

    public async Task<GspResult> StatusAsync(string redirectRequestId, string? requestId = null) =>
        await Server.PostAsync(
            "getGeneratePaymentTokenRedirectStatus",
            GspMessages.RedirectStatus(requestId ?? GspMessages.NewId("status"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), redirectRequestId),
            GoogleSide);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Google.DisposeAsync();
        Gpg.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>One browser hand-back as Google reads it.</summary>
public sealed record HandBack(string? RedirectRequestId, string? PaymentIntegratorAccountId, string? State, JsonNode Response, string GpgStatus)
{
    public string Result => RedirectServer.ResultOf(Response["result"]);
}
