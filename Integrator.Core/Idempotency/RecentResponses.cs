using Integrator.Core.Gsp;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Idempotency;

/// <summary>
/// The completed requests this process answered in the last minutes, so that Google's retry of a call whose answer it
/// did not receive is replayed without a database read. A completed record never changes, so the copy cannot go
/// stale; the idempotency store stays the truth for everything else (other instances' keys, older keys, after a
/// restart). Bounded by count (oldest leave first) and by age.
/// </summary>
public sealed class RecentResponses(IOptions<IdempotencyOptions> options, TimeProvider time)
{
    /// <summary>Google retries within seconds or minutes; later retries are rare enough to read from the store.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly int _capacity = options.Value.RecentResponses;
    private readonly Dictionary<IdempotencyKey, Entry> _entries = [];
    private readonly Queue<(IdempotencyKey Key, Entry Entry)> _oldestFirst = new();

    public void Add(IdempotencyKey key, IdempotencyRecord record)
    {
        if (_capacity == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var entry = new Entry(record, now);
        lock (_entries)
        {
            if (_entries.TryAdd(key, entry))
            {
                _oldestFirst.Enqueue((key, entry));
            }

            while (_oldestFirst.TryPeek(out var oldest) && (_entries.Count > _capacity || now - oldest.Entry.AddedAt > MaxAge))
            {
                _oldestFirst.Dequeue();
                _entries.Remove(oldest.Key);
            }
        }
    }

    public IdempotencyRecord? Find(IdempotencyKey key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out var entry) && time.GetUtcNow() - entry.AddedAt <= MaxAge ? entry.Record : null;
        }
    }

    private sealed record Entry(IdempotencyRecord Record, DateTimeOffset AddedAt);
}
