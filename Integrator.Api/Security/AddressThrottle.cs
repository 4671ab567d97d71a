using System.Net;
using System.Net.Sockets;

namespace Integrator.Api.Security;

/// <summary>
/// A budget of attempts per client address: <c>limit</c> a minute, refilled continuously. An attempt is taken before
/// the check it pays for and given back when that check succeeds, so concurrent attempts cannot overrun the budget and
/// a right credential never spends it. IPv6 addresses count by their /64 (one host's usual share). Memory is bounded:
/// at most <see cref="MaxAddresses"/> addresses are tracked, full budgets first forgotten. Each use has its own
/// subclass (support keys, customer sign-ins), so that one never locks out the other.
/// </summary>
public abstract class AddressThrottle(int limit, TimeProvider time)
{
    public const int MaxAddresses = 10_000;

    private readonly Dictionary<string, Budget> _budgets = new(StringComparer.Ordinal);
    private readonly double _perSecond = limit / 60.0;

    /// <summary>Takes one attempt from <paramref name="address"/>'s budget: null if taken, else how long until one is free.</summary>
    public TimeSpan? TryTake(IPAddress? address)
    {
        var key = Key(address);
        var now = time.GetUtcNow();
        lock (_budgets)
        {
            var left = Left(key, now);
            if (left < 1)
            {
                return TimeSpan.FromSeconds((1 - left) / _perSecond);
            }

            if (!_budgets.ContainsKey(key) && _budgets.Count >= MaxAddresses)
            {
                Forget(now);
            }

            _budgets[key] = new Budget(left - 1, now);
            return null;
        }
    }

    /// <summary>Gives back an attempt taken by <see cref="TryTake"/>: its check succeeded.</summary>
    public void GiveBack(IPAddress? address)
    {
        var key = Key(address);
        var now = time.GetUtcNow();
        lock (_budgets)
        {
            if (_budgets.ContainsKey(key))
            {
                _budgets[key] = new Budget(Math.Min(limit, Left(key, now) + 1), now);
            }
        }
    }

    private double Left(string key, DateTimeOffset now) => _budgets.TryGetValue(key, out var budget)
        ? Math.Min(limit, budget.Left + ((now - budget.At).TotalSeconds * _perSecond))
        : limit;

    /// <summary>Makes room: budgets refilled to the full are as good as absent; if none is, the one refilled longest goes.</summary>
    private void Forget(DateTimeOffset now)
    {
        var full = _budgets.Keys.Where(k => Left(k, now) >= limit).ToList();
        foreach (var key in full)
        {
            _budgets.Remove(key);
        }

        if (_budgets.Count >= MaxAddresses)
        {
            _budgets.Remove(_budgets.MaxBy(b => Left(b.Key, now)).Key);
        }
    }

    private static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private readonly record struct Budget(double Left, DateTimeOffset At);
}
