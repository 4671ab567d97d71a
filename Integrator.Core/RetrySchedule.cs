namespace Integrator.Core;

/// <summary>
/// The one retry schedule of Integrator's outbound work (notifications, calls for statements, back-end commands):
/// exponential backoff from a first delay, doubling to a cap, with jitter (75–100 % of the step) so that instances that
/// failed together do not retry together.
/// </summary>
public static class RetrySchedule
{
    /// <param name="attempts">Attempts that have failed so far (1 after the first).</param>
    /// <param name="jitter">A random number in [0, 1].</param>
    public static TimeSpan Delay(long attempts, TimeSpan first, TimeSpan max, double jitter)
    {
        var exponent = (int)Math.Min(Math.Max(attempts - 1, 0), 30);
        var step = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(step * (0.75 + (0.25 * Math.Clamp(jitter, 0, 1))), 1));
    }
}
