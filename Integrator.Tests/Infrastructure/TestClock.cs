using Microsoft.Extensions.Time.Testing;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// FakeTimeProvider's wall clock, moved by hand (<see cref="FakeTimeProvider.Advance"/>), with timers and timestamps
/// left real: background loops poll on real time and judge by this clock, and latencies and bounded waits (a concurrent
/// duplicate's 409) measure real time instead of waiting for a test to move it.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    /// <summary>Starts at the real time (whole seconds), so that GnuPG, which checks signature times against its own
    /// clock, agrees with what the server signs.</summary>
    public TestClock()
        : base(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
    {
    }

    public long NowMillis => GetUtcNow().ToUnixTimeMilliseconds();

    public override long TimestampFrequency => System.TimestampFrequency;

    public override long GetTimestamp() => System.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}
