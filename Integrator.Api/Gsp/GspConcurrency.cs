using Integrator.Core.Gsp;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>The concurrency limit of the Google routes (<c>Gsp:MaxConcurrentCalls</c>): a slot per call in progress.</summary>
public sealed class GspConcurrency(IOptions<GspOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentCalls, options.Value.MaxConcurrentCalls);
    private readonly TimeSpan _wait = options.Value.MaxConcurrentWait;

    /// <returns>The slot to release, or null when none came free in time.</returns>
    public async Task<IDisposable?> TryEnterAsync(CancellationToken ct) =>
        await _slots.WaitAsync(_wait, ct) ? new Slot(_slots) : null;

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
