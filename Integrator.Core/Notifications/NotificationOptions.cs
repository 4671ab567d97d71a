using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Notifications;

/// <summary>The outbox dispatcher: how it claims, sends, retries and gives up.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>Runs the dispatcher in this instance. Rows are queued either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often an idle dispatcher looks for due rows.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows claimed at once, and sent concurrently.</summary>
    [Range(1, 500)]
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a claim lasts; a crashed dispatcher's rows are taken over after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first retry; each further retry doubles it (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After this long undelivered, a notification is DEAD: visible to support and re-armable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Horizon { get; set; } = TimeSpan.FromHours(72);

    /// <summary>On shutdown, how long in-flight sends may finish before they are cancelled and their leases released.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When a notification that failed <paramref name="attempts"/> times is tried again (<see cref="RetrySchedule"/>), with
    /// a last attempt exactly at the horizon; null once the horizon has passed: the row is DEAD.
    /// </summary>
    public DateTimeOffset? NextAttemptAt(long attempts, DateTimeOffset createdAt, DateTimeOffset now, double jitter)
    {
        var horizon = createdAt + Horizon;
        return now >= horizon ? null : Min(now + RetrySchedule.Delay(attempts, FirstRetryDelay, MaxRetryDelay, jitter), horizon);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Lease < HttpTimeout + TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult(
                "Notifications:Lease must exceed Notifications:HttpTimeout by at least a second, or a slow send could be taken over.",
                [nameof(Lease)]);
        }

        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Notifications:MaxRetryDelay must not be shorter than FirstRetryDelay.", [nameof(MaxRetryDelay)]);
        }
    }
}
