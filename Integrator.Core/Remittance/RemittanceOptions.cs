using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Remittance;

/// <summary>The reconciliation job over remittance statements (docs/gsp-rules.md §7, README "Remittance").</summary>
public sealed class RemittanceOptions : IValidatableObject
{
    public const string Section = "Remittance";

    /// <summary>Runs the reconciliation job in this instance. Statements are received either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A MATCHED statement is accepted with acceptRemittanceStatement; a DISCREPANCY never is, automatically.</summary>
    public bool AutoAccept { get; set; } = true;

    /// <summary>How often an idle job looks for due statements.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim on a statement lasts; a crashed instance's statement is taken over after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Events asked for per remittanceStatementDetails page (Google's maximum is 1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>
    /// The most events a statement may have (its totalEvents): one claiming more fails with the reason, for support,
    /// instead of being fetched. They are held in memory while one statement is compared (a few hundred bytes each).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxEvents { get; set; } = 200_000;

    /// <summary>
    /// Delay before the first retry of a failed call to Google; each further retry doubles it, up to
    /// <see cref="MaxRetryDelay"/> (<see cref="RetrySchedule"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Remittance:MaxRetryDelay must not be shorter than FirstRetryDelay.", [nameof(MaxRetryDelay)]);
        }
    }
}
