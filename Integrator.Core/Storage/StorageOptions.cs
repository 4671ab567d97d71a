using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Storage;

public enum StorageProvider
{
    Sqlite,
    SqlServer,
    Postgres,
}

public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Empty: a SQLite file of the environment's own, <see cref="DefaultSqlite"/> (set by the host).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How long a statement may wait for a lock held by another transaction before the request is answered
    /// 503 (database busy) or 409 (a duplicate of it still in flight). Kept under Google's 7 s deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long startup waits for a server database that is not reachable yet (several instances starting).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// SQLite and PostgreSQL (group commit): writes waiting for the instance's writer at most; one more is answered 503
    /// at once instead of queueing without bound under a flood.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedWrites { get; set; } = 4096;

    /// <summary>
    /// SQLite and PostgreSQL: writes sharing one commit at most. A lone write never waits for companions; they are the
    /// writes that queued while the previous commit ran.
    /// </summary>
    [Range(1, 1000)]
    public int MaxBatch { get; set; } = 32;

    /// <summary>Each environment has its own database file, so a Production start never inherits Development's data.</summary>
    public static string DefaultSqlite(string environmentName) => $"Data Source=data/integrator.{environmentName.ToLowerInvariant()}.db";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != StorageProvider.Sqlite && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                $"Storage:ConnectionString is required with Storage:Provider={Provider} (the default is a SQLite file).",
                [nameof(ConnectionString)]);
        }
    }
}
