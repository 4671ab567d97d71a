namespace Integrator.Core.Notifications;

/// <summary>
/// When a failed notification is tried again: exponential backoff with jitter (75–100% of the step, so instances that
/// failed together do not retry together), capped, and a last attempt exactly at the horizon before the row is DEAD.
/// </summary>
public static class RetrySchedule
{
    /// <returns>The time of the next attempt, or null when the horizon has passed and the row is DEAD.</returns>
    public static long? NextAttemptAt(
        long attemptsSoFar, long createdAtMillis, long nowMillis, NotificationOptions options, double jitter)
    {
        var horizon = createdAtMillis + (long)options.Horizon.TotalMilliseconds;
        if (nowMillis >= horizon)
        {
            return null;
        }

        var exponent = (int)Math.Min(Math.Max(attemptsSoFar - 1, 0), 30);
        var step = Math.Min(options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), options.MaxRetryDelay.TotalMilliseconds);
        var delay = (long)(step * (0.75 + (0.25 * Math.Clamp(jitter, 0, 1))));
        return Math.Min(nowMillis + Math.Max(delay, 1), horizon);
    }
}
