using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>
/// Google's notification endpoint, played by the kit on 127.0.0.1:{CONFORMANCE_NOTIFICATION_PORT}/gsp/: opens what
/// the target sends (authenticated as the target's, in PGP mode), records it, and answers SUCCESS, or 503 for the
/// attempts a check asks to fail.
/// </summary>
public sealed class GoogleEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Target _target;
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new(StringComparer.Ordinal);

    public GoogleEndpoint(Target target, int port)
    {
        _target = target;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/gsp/");
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public IReadOnlyList<ReceivedNotification> For(string cancelRequestId) =>
        [.. _received.Where(n => n.CancelRequestId == cancelRequestId)];

    /// <summary>Answers the first <paramref name="attempts"/> notifications of this cancel with 503.</summary>
    public void Fail(string cancelRequestId, int attempts) => _failuresLeft[cancelRequestId] = attempts;

    public void Dispose() => _listener.Close();

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

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        var json = _target.Pgp is { } pgp ? pgp.Open(buffer.ToArray()) : buffer.ToArray();
        var text = json is null ? "<not authentic>" : Encoding.UTF8.GetString(json);
        var body = ParseOrNull(text);
        var cancelRequestId = body?["cancelFundsReservationRequestId"]?.GetValue<string>();
        var status = body is null ? 400 : cancelRequestId is not null && TakeFailure(cancelRequestId) ? 503 : 200;
        var answer = status == 200
            ? new JsonObject
            {
                ["responseHeader"] = new JsonObject { ["responseTimestamp"] = Messages.Now.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["result"] = "SUCCESS",
            }.ToJsonString()
            : string.Empty;
        _received.Enqueue(new ReceivedNotification(DateTimeOffset.UtcNow, context.Request.Url!, text, body, status, answer));
        context.Response.StatusCode = status;
        if (status == 200)
        {
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = _target.Pgp is null ? "application/json; charset=utf-8" : "application/octet-stream; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(_target.Pgp is { } seal ? seal.Seal(bytes) : bytes);
        }

        context.Response.Close();
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private bool TakeFailure(string cancelRequestId)
    {
        while (_failuresLeft.TryGetValue(cancelRequestId, out var left) && left > 0)
        {
            if (_failuresLeft.TryUpdate(cancelRequestId, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }
}
