using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Idempotency;

public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long completed requests are kept for replay (GSP asks for at least 30 days), then purged.</summary>
    [Range(typeof(TimeSpan), "30.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired records are purged.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a duplicate waits for the same request still in flight before it is answered 409.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:06")]
    public TimeSpan InFlightWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How many recently completed requests this process keeps in memory to answer retries without a database read
    /// (about 1 KB each; 0 turns it off). Entries also leave after <see cref="RecentResponses.MaxAge"/>.
    /// </summary>
    [Range(0, 1_000_000)]
    public int RecentResponses { get; set; } = 20_000;
}
