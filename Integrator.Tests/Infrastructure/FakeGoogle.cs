using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
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
    private readonly Task _loop;
    private int _calls;

    private FakeGoogle(int port, IMessageCodec codec)
    {
        Port = port;
        _codec = codec;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/gsp/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/gsp");

    /// <summary>Status to answer for the n-th call (1-based); 0 means "hang until the caller gives up".</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    public IReadOnlyList<ReceivedNotification> Received => [.. _received];

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
        var call = Interlocked.Increment(ref _calls);
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        var opened = _codec.Open(buffer.ToArray(), context.Request.ContentType);
        var parsed = opened.Json is { } json
                     && GspJson.TryParse<CancelFundsReservationResultNotificationRequest>(json, out var request)
            ? request
            : null;
        _received.Enqueue(new ReceivedNotification(
            context.Request.Url!.AbsolutePath, context.Request.ContentType, parsed, opened.Error?.CodeName, DateTimeOffset.UtcNow)
        {
            RawBody = buffer.ToArray(),
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
                var response = new CancelFundsReservationResultNotificationResponse
                {
                    ResponseHeader = new ResponseHeader { ResponseTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
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
}
