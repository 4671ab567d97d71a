using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Integrator.Tests.Conformance;

/// <summary>How a <see cref="BrokenTarget"/> breaks Google's rules.</summary>
public enum Breakage
{
    /// <summary>Remembers an error and answers it again to a retry of the same requestId.</summary>
    CachesErrors,

    /// <summary>Adds a field to every replayed answer.</summary>
    ChangesReplays,

    /// <summary>Gives a copy that arrives while the first is in flight a requestId of its own: it runs again.</summary>
    RunsConcurrentDuplicatesTwice,

    /// <summary>Stamps every request with the current time before the server sees it.</summary>
    IgnoresTimestamps,

    /// <summary>Answers the status of a redirect it does not know as pending instead of 404.</summary>
    AnswersUnknownRedirects,

    /// <summary>Acknowledges a different statement under a used statementId with the first one's receipt.</summary>
    AcceptsAnyStatement,

    /// <summary>Answers a refund beyond what is left of the capture with SUCCESS.</summary>
    RefundsAboveTheCapture,
}

/// <summary>
/// A deliberately broken GSP endpoint for the conformance kit to catch: a proxy on 127.0.0.1 in front of a real
/// (plaintext) Integrator that breaks one rule, and only that one.
/// </summary>
public sealed class BrokenTarget : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _server;
    private readonly Breakage _breakage;
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _answered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _receipts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _inFlight = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _copies;

    public BrokenTarget(Uri server, Breakage breakage)
    {
        _breakage = breakage;
        _server = new HttpClient { BaseAddress = server };
        Port = Infrastructure.FakeGoogle.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _loop;
        _server.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var request = JsonNode.Parse(await reader.ReadToEndAsync())!;
        var path = context.Request.Url!.AbsolutePath;
        var key = $"{path}/{request["requestHeader"]?["requestId"]}";
        var first = _breakage == Breakage.RunsConcurrentDuplicatesTwice && _inFlight.TryAdd(key, true);
        var (status, body) = _breakage switch
        {
            Breakage.CachesErrors when _errors.TryGetValue(key, out var cached) => cached,
            Breakage.RunsConcurrentDuplicatesTwice when !first => await ForwardAsync(path, Renamed(request)),
            Breakage.IgnoresTimestamps => await ForwardAsync(path, Restamped(request)),
            _ => await ForwardAsync(path, request),
        };
        if (first)
        {
            _inFlight.TryRemove(key, out _);
        }
        if (_breakage == Breakage.CachesErrors && status != 200)
        {
            _errors[key] = (status, body);
        }

        (status, body) = (_breakage, status, path.Split('/')[^1]) switch
        {
            (Breakage.AnswersUnknownRedirects, 404, "getGeneratePaymentTokenRedirectStatus") => (200, Answer(new JsonObject { ["pending"] = new JsonObject() })),
            (Breakage.AcceptsAnyStatement, 200, "remittanceStatementNotification") => (200, _receipts.GetOrAdd(key, body)),
            (Breakage.AcceptsAnyStatement, 412, "remittanceStatementNotification") when _receipts.TryGetValue(key, out var receipt) => (200, receipt),
            (Breakage.RefundsAboveTheCapture, 400, "refund") => (200, Answer("SUCCESS")),
            _ => (status, body),
        };

        if (_breakage == Breakage.ChangesReplays && status == 200 && !_answered.TryAdd(key, true))
        {
            var changed = JsonNode.Parse(body)!;
            changed["replayed"] = true;
            body = changed.ToJsonString();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
        context.Response.Close();
    }

    private static string Answer(JsonNode result) => new JsonObject
    {
        ["responseHeader"] = new JsonObject { ["responseTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["result"] = result,
    }.ToJsonString();

    private JsonNode Renamed(JsonNode request)
    {
        var copy = request.DeepClone();
        copy["requestHeader"]!["requestId"] = $"{copy["requestHeader"]!["requestId"]}-copy{Interlocked.Increment(ref _copies)}";
        return copy;
    }

    private static JsonNode Restamped(JsonNode request)
    {
        var copy = request.DeepClone();
        copy["requestHeader"]!["requestTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return copy;
    }

    private async Task<(int Status, string Body)> ForwardAsync(string path, JsonNode request)
    {
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _server.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
