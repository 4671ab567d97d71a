using System.Net;
using System.Text;
using Integrator.Core.Backend.StandIn;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A stand-in back end (<see cref="StandInCore"/>, <see cref="StandInMollie"/>) served over real HTTP on 127.0.0.1
/// under a path prefix (HttpListener): a lost answer drops the connection, a replayed one says so
/// (<c>Idempotent-Replayed: true</c>).
/// </summary>
public sealed class StandInListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _prefix;
    private readonly string _contentType;
    private readonly Func<StandInRequest, CancellationToken, Task<StandInAnswer>> _handle;
    private readonly Task _loop;

    /// <param name="prefix">The path the stand-in is served under, without the trailing slash (<c>/core</c>, <c>/v2</c>).</param>
    public StandInListener(int port, string prefix, string contentType, Func<StandInRequest, CancellationToken, Task<StandInAnswer>> handle)
    {
        _prefix = prefix;
        _contentType = contentType;
        _handle = handle;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}{prefix}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        await _loop;
        _stopping.Dispose();
    }

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
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var url = context.Request.Url!;
            var answer = await _handle(
                new StandInRequest(
                    context.Request.HttpMethod,
                    url.AbsolutePath[_prefix.Length..],
                    url.Query,
                    context.Request.Headers["Authorization"],
                    context.Request.Headers["Idempotency-Key"],
                    buffer.ToArray()),
                _stopping.Token);
            if (answer.Lost)
            {
                context.Response.Abort();
                return;
            }

            if (answer.Replayed)
            {
                context.Response.Headers["Idempotent-Replayed"] = "true";
            }

            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = _contentType;
            context.Response.Close(Encoding.UTF8.GetBytes(answer.Body), willBlock: false);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The caller gave up (a timeout), or the fixture is stopping.
        }
    }
}
