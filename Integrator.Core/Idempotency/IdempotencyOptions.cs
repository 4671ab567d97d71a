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
}
