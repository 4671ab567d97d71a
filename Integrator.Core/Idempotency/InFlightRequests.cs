using Integrator.Core.Gsp;

namespace Integrator.Core.Idempotency;

/// <summary>
/// Queues requests with the same idempotency key inside this process, so that a duplicate waits for the first
/// (bounded) and then finds its stored answer. Across processes the database key does the same job.
/// </summary>
public sealed class InFlightRequests
{
    private readonly Dictionary<IdempotencyKey, Entry> _entries = [];

    /// <summary>Null when the key stayed busy for the whole <paramref name="wait"/>.</summary>
    public async Task<IDisposable?> TryEnterAsync(IdempotencyKey key, TimeSpan wait, CancellationToken ct)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries.Add(key, entry);
            }

            entry.Users++;
        }

        var entered = false;
        try
        {
            entered = await entry.Gate.WaitAsync(wait, ct);
            return entered ? new Slot(this, key, entry) : null;
        }
        finally
        {
            if (!entered)
            {
                Leave(key, entry, entered: false);
            }
        }
    }

    private void Leave(IdempotencyKey key, Entry entry, bool entered)
    {
        if (entered)
        {
            entry.Gate.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Slot(InFlightRequests owner, IdempotencyKey key, Entry entry) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                owner.Leave(key, entry, entered: true);
            }
        }
    }
}
