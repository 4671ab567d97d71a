using System.Net;
using Integrator.Core.Gsp;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>
/// The concurrency limits of the Google routes: calls one client address may have open (<c>Gsp:MaxConcurrentCallsPerAddress</c>,
/// taken before the body is read) and calls this instance processes at once (<c>Gsp:MaxConcurrentCalls</c>, taken
/// only once the whole body has arrived, so slow senders can never hold them).
/// </summary>
public sealed class GspConcurrency(IOptions<GspOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentCalls, options.Value.MaxConcurrentCalls);
    private readonly TimeSpan _wait = options.Value.MaxConcurrentWait;
    private readonly int _perAddress = options.Value.MaxConcurrentCallsPerAddress;
    private readonly Dictionary<IPAddress, int> _open = [];

    /// <returns>The address's place to give back, or null when the address already has its maximum open.</returns>
    public IDisposable? TryOpen(IPAddress? address)
    {
        var key = address ?? IPAddress.None;
        lock (_open)
        {
            var open = _open.GetValueOrDefault(key);
            if (open >= _perAddress)
            {
                return null;
            }

            _open[key] = open + 1;
        }

        return new Release(() =>
        {
            lock (_open)
            {
                if (--_open[key] == 0)
                {
                    _open.Remove(key);
                }
            }
        });
    }

    /// <returns>The processing slot to release, or null when none came free in time.</returns>
    public async Task<IDisposable?> TryEnterAsync(CancellationToken ct) =>
        await _slots.WaitAsync(_wait, ct) ? new Release(() => _slots.Release()) : null;

    public void Dispose() => _slots.Dispose();

    private sealed class Release(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
