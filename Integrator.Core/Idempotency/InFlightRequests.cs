using System.Diagnostics.Metrics;
using Integrator.Core.Gsp;

namespace Integrator.Core.Idempotency;

/// <summary>
/// Queues requests with the same idempotency key inside this process, so that a duplicate waits for the first
/// (bounded) and then finds its stored answer. Across processes the database key does the same job. The gauge
/// <c>integrator.gsp.keys_in_flight</c> (meter <c>Integrator.Gsp</c>) counts the keys whose request is being run now.
/// </summary>
public sealed class InFlightRequests(IMeterFactory meters)
{
    private readonly UpDownCounter<long> _running = meters.Create(Telemetry.GspMeterName)
        .CreateUpDownCounter<long>("integrator.gsp.keys_in_flight", description: "Google calls running under their idempotency key now.");

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
            if (entered)
            {
                _running.Add(1);
            }

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
            _running.Add(-1);
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
