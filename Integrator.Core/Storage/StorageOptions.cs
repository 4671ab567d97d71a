using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Storage;

public enum StorageProvider
{
    Sqlite,
    SqlServer,
    Postgres,
}

public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    [Required]
    public string ConnectionString { get; set; } = "Data Source=data/integrator.db";

    /// <summary>
    /// How long a statement may wait for a lock held by another transaction before the request is answered
    /// 503 (database busy) or 409 (a duplicate of it still in flight). Kept under Google's 7 s deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
