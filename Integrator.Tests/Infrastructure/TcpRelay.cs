using System.Net;
using System.Net.Sockets;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a database server, so that a test can take the database away (every
/// connection cut, new ones refused) and bring it back on the same port, as a stopped and restarted server would. With
/// several targets it is a round-robin load balancer: each connection goes to the next target that accepts it.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly (string Host, int Port)[] _targets;
    private int _next;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task _accepting = Task.CompletedTask;

    public TcpRelay(string targetHost, int targetPort)
        : this([(targetHost, targetPort)])
    {
    }

    public TcpRelay(IReadOnlyList<(string Host, int Port)> targets)
    {
        _targets = [.. targets];
        Port = FakeGoogle.FreePort();
        Start();
    }

    public int Port { get; }

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public async Task StopAsync()
    {
        await _stop!.CancelAsync();
        _listener!.Stop();
        await _accepting;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop is { IsCancellationRequested: false })
        {
            await StopAsync();
        }

        _stop?.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = await ConnectAsync(stop);
            if (outbound is null)
            {
                inbound.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    /// <summary>The next target, in turn, that accepts a connection; null if none does.</summary>
    private async Task<TcpClient?> ConnectAsync(CancellationToken stop)
    {
        for (var tried = 0; tried < _targets.Length; tried++)
        {
            var (host, port) = _targets[(Interlocked.Increment(ref _next) & int.MaxValue) % _targets.Length];
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(host, port, stop);
                return outbound;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                outbound.Dispose();
            }
        }

        return null;
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // the relay was stopped or a side hung up
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
