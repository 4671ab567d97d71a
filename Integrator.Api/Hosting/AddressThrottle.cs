using System.Collections.Concurrent;

namespace Integrator.Api.Hosting;

/// <summary>
/// Failures per client address: past <c>limit</c> in the current minute, the address is refused without its attempt
/// being looked at, until the minute is over. Memory is bounded: at most <see cref="MaxAddresses"/> addresses are
/// tracked. Each use has its own subclass (support keys, customer sign-ins), so that one never locks out the other.
/// </summary>
public abstract class AddressThrottle(int limit, TimeProvider time)
{
    public const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<string, Window> _failures = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="address"/> must wait, or null if it may try.</summary>
    public TimeSpan? RetryAfter(string address)
    {
        var now = time.GetUtcNow();
        return _failures.TryGetValue(address, out var window) && window.Start + TimeSpan.FromMinutes(1) > now && window.Count >= limit
            ? window.Start + TimeSpan.FromMinutes(1) - now
            : null;
    }

    public void Failed(string address)
    {
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxAddresses)
        {
            foreach (var stale in _failures.Where(f => f.Value.Start + TimeSpan.FromMinutes(1) <= now).Select(f => f.Key).ToList())
            {
                _failures.TryRemove(stale, out _);
            }
        }

        _failures.AddOrUpdate(
            address,
            _ => new Window(now, 1),
            (_, w) => w.Start + TimeSpan.FromMinutes(1) <= now ? new Window(now, 1) : w with { Count = w.Count + 1 });
    }

    private sealed record Window(DateTimeOffset Start, int Count);
}
