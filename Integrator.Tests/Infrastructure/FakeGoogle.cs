using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Security;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Google's notification endpoint as a real HTTP server on 127.0.0.1 (HttpListener: no host builder that
/// WebApplicationFactory could mistake for the server under test). Records every request it receives and answers as
/// <see cref="Respond"/> says (by default 200 with result SUCCESS), through a codec playing Google's side.
/// </summary>
public sealed class FakeGoogle : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IMessageCodec _codec;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly ConcurrentQueue<Uri> _callbacks = new();
    private readonly Task _loop;
    private int _calls;

    private FakeGoogle(int port, IMessageCodec codec)
    {
        Port = port;
        _codec = codec;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/gsp/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/callback/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/gsp");

    /// <summary>Status to answer for the n-th call (1-based); 0 means "hang until the caller gives up".</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    public IReadOnlyList<ReceivedNotification> Received => [.. _received];

    /// <summary>Where Google's redirect flow takes the customer's browser back to (a callbackUrl).</summary>
    public string CallbackUrl => $"http://127.0.0.1:{Port}/callback/return?state=from-google";

    /// <summary>Every browser hand-back that arrived at <see cref="CallbackUrl"/>, whole URL with its query.</summary>
    public IReadOnlyList<Uri> Callbacks => [.. _callbacks];

    /// <summary>The remittance statements Google "holds", by statementId: what remittanceStatementDetails lists, in pages.</summary>
    public ConcurrentDictionary<string, FakeStatement> Statements { get; } = new();

    /// <summary>The calls to one method (the path's segment after the API family), in arrival order.</summary>
    public IReadOnlyList<ReceivedNotification> CallsTo(string method) =>
        [.. _received.Where(r => r.Path.Contains($"/{method}/", StringComparison.Ordinal))];

    /// <summary>A free port on 127.0.0.1 that nothing listens on (yet): connections to it are refused.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Task<FakeGoogle> StartAsync(int? port = null, IMessageCodec? codec = null) =>
        Task.FromResult(new FakeGoogle(port ?? FreePort(), codec ?? new PlaintextCodec()));

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        if (context.Request.Url!.AbsolutePath.StartsWith("/callback/", StringComparison.Ordinal))
        {
            _callbacks.Enqueue(context.Request.Url);
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.KeepAlive = false;
            context.Response.Close("<!DOCTYPE html><html lang=\"en\"><title>Google</title><h1>Back at Google</h1></html>"u8.ToArray(), willBlock: false);
            return;
        }

        var call = Interlocked.Increment(ref _calls);
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        var opened = _codec.Open(buffer.ToArray(), context.Request.ContentType);
        var parsed = opened.Json is { } json
                     && GspJson.TryParse<CancelFundsReservationResultNotificationRequest>(json, out var request)
            ? request
            : null;
        var path = context.Request.Url!.AbsolutePath;
        _received.Enqueue(new ReceivedNotification(path, context.Request.ContentType, parsed, opened.Error?.CodeName, DateTimeOffset.UtcNow)
        {
            RawBody = buffer.ToArray(),
            Json = opened.Json is { } opened1 ? Encoding.UTF8.GetString(opened1) : null,
        });

        var status = Respond(call);
        try
        {
            if (status == 0)
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }

            context.Response.StatusCode = status;
            if (status == 200)
            {
                var header = new ResponseHeader { ResponseTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
                IMessage response = path.Contains("/remittanceStatementDetails/", StringComparison.Ordinal)
                    ? Details(opened.Json, header)
                    : path.Contains("/generatePaymentTokenRedirectCompleteNotification/", StringComparison.Ordinal)
                        ? new GeneratePaymentTokenRedirectCompleteNotificationResponse
                        {
                            ResponseHeader = header,
                            Result = new RedirectPaymentNotificationResult { Accepted = new Google.Protobuf.WellKnownTypes.Empty() },
                        }
                    : path.Contains("/acceptRemittanceStatement/", StringComparison.Ordinal)
                        ? new AcceptRemittanceStatementResponse
                        {
                            ResponseHeader = header,
                            AcceptRemittanceStatementResultCode = AcceptRemittanceStatementResponse.Types.AcceptRemittanceStatementResultCode.Success,
                        }
                        : new CancelFundsReservationResultNotificationResponse
                        {
                            ResponseHeader = header,
                            Result = CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode.Success,
                        };
                var body = _codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(response)));
                context.Response.ContentType = _codec.ContentType;
                await context.Response.OutputStream.WriteAsync(body);
            }

            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
        {
            context.Response.Abort();
        }
    }

    /// <summary>One page of the statement the request names, as Google pages it (eventOffset, numberOfEvents ≤ 1000).</summary>
    private RemittanceStatementDetailsResponse Details(byte[]? json, ResponseHeader header)
    {
        var request = json is not null && GspJson.TryParse<RemittanceStatementDetailsRequest>(json, out var parsed) ? parsed : new();
        var events = Statements.TryGetValue(request.StatementId, out var statement) ? statement.Events : [];
        if (statement?.Pager is { } pager)
        {
            var hostile = pager(request);
            hostile.ResponseHeader = header;
            return hostile;
        }

        var offset = Math.Clamp(request.EventOffset, 0, events.Count);
        var count = request.NumberOfEvents is > 0 and <= 1000 ? request.NumberOfEvents : 1000;
        var page = events.Skip(offset).Take(count).ToList();
        var response = new RemittanceStatementDetailsResponse
        {
            ResponseHeader = header,
            EventOffset = offset,
            TotalEvents = events.Count,
        };
        if (offset + page.Count < events.Count)
        {
            response.NextEventOffset = offset + page.Count;
        }

        foreach (var e in page)
        {
            var item = new StatementEvent { EventRequestId = e.RequestId, PaymentIntegratorEventId = e.RequestId + "-ours", EventCharge = e.ChargeMicros, EventFee = e.FeeMicros };
            (e.IsRefund ? response.RefundEvents : response.CaptureEvents).Add(item);
        }

        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        await _loop;
        _stopping.Dispose();
    }
}

/// <summary>One request as Google received it; <see cref="Notification"/> is null if it could not be opened or parsed.</summary>
public sealed record ReceivedNotification(
    string Path, string? ContentType, CancelFundsReservationResultNotificationRequest? Notification, string? OpenError, DateTimeOffset At)
{
    public byte[] RawBody { get; init; } = [];

    public string RequestId => Notification?.RequestHeader.RequestId ?? "?";

    /// <summary>The decrypted body, if it could be opened.</summary>
    public string? Json { get; init; }

    /// <summary>The request header's requestId, whatever the method.</summary>
    public string? AnyRequestId => Json is null ? null : System.Text.Json.Nodes.JsonNode.Parse(Json)?["requestHeader"]?["requestId"]?.GetValue<string>();
}

/// <summary>A capture (<see cref="IsRefund"/> false) or refund event of a fake statement; Google's sign: refunds negative.</summary>
public sealed record FakeEvent(string RequestId, long ChargeMicros, bool IsRefund = false, long FeeMicros = 0);

/// <summary>
/// What Google lists for one statement, paged as Google pages; a <see cref="Pager"/> answers every page itself instead
/// (a hostile or broken Google).
/// </summary>
public sealed record FakeStatement(IReadOnlyList<FakeEvent> Events)
{
    public Func<RemittanceStatementDetailsRequest, RemittanceStatementDetailsResponse>? Pager { get; init; }
}
