using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Storage;

/// <summary>
/// Applies the forward-only scripts in <c>db/&lt;provider&gt;/NNNN_name.sql</c> (embedded in this assembly) that the
/// journal table <c>schema_migrations</c> does not list yet, each in its own transaction. A script that was changed after
/// it was applied stops startup: schema history is never rewritten.
/// </summary>
public sealed partial class Migrator(Database database, IOptions<StorageOptions> options, TimeProvider time, ILogger<Migrator> logger)
{
    private const string FindApplied = "SELECT checksum FROM schema_migrations WHERE version = @Version";
    private const string RecordApplied = """
        INSERT INTO schema_migrations (version, name, checksum, applied_at)
        VALUES (@Version, @Name, @Checksum, @AppliedAt)
        """;

    public async Task MigrateAsync(CancellationToken ct)
    {
        var dialect = database.Dialect;
        await WaitForDatabaseAsync(ct);
        await using (var tx = await database.BeginAsync(ct))
        {
            // Under the migration lock: instances that start together must not race to create the journal.
            await dialect.LockForMigrationAsync(tx, ct);
            await tx.ExecuteAsync(dialect.CreateMigrationJournalSql, null, ct);
            await database.Dialect.CommitAsync(tx);
        }

        foreach (var script in Scripts(dialect.Provider))
        {
            await using var tx = await database.BeginAsync(ct);
            await dialect.LockForMigrationAsync(tx, ct);
            var applied = await tx.QuerySingleOrDefaultAsync<string>(FindApplied, new { script.Version }, ct);
            if (applied is not null)
            {
                if (applied != script.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {script.Name} was changed after it was applied (checksum {applied} in the journal, " +
                        $"{script.Checksum} now). Add a new script instead of editing an applied one.");
                }

                continue;
            }

            await tx.ExecuteAsync(script.Sql, null, ct);
            await tx.ExecuteAsync(
                RecordApplied,
                new { script.Version, script.Name, script.Checksum, AppliedAt = time.GetUtcNow().ToUnixTimeMilliseconds() },
                ct);
            await database.Dialect.CommitAsync(tx);
            LogApplied(logger, script.Name, dialect.Provider);
        }
    }

    /// <summary>A server database may still be starting (several instances, containers): retry until Storage:StartupTimeout.</summary>
    private async Task WaitForDatabaseAsync(CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + options.Value.StartupTimeout;
        while (true)
        {
            try
            {
                await database.Dialect.PrepareAsync(ct);
                await using var connection = await database.OpenAsync(ct);
                return;
            }
            catch (Exception e) when (database.Classify(e) == StorageFault.Unavailable && time.GetUtcNow() < deadline)
            {
                LogWaiting(logger, database.Dialect.Provider, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // What the operator fixes is the setting; the driver's message (never the string itself) says why.
                var waited = database.Classify(e) == StorageFault.Unavailable ? $" within Storage:StartupTimeout ({options.Value.StartupTimeout})" : string.Empty;
                throw new InvalidOperationException(
                    $"Storage:ConnectionString: the {database.Dialect.Provider} database could not be opened{waited}: {e.Message}", e);
            }
        }
    }

    private const string LatestApplied = "SELECT MAX(version) FROM schema_migrations";

    /// <summary>Whether the database holds every migration this build ships (readiness: an instance may serve).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken ct) =>
        await database.QuerySingleOrDefaultAsync<long?>(LatestApplied, null, ct) is { } latest
        && latest >= Scripts(database.Dialect.Provider)[^1].Version;

    public static IReadOnlyList<MigrationScript> Scripts(StorageProvider provider)
    {
        var folder = FolderOf(provider);
        var assembly = typeof(Migrator).Assembly;
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var path = resource.Replace('\\', '/');
            var match = ScriptName().Match(path);
            if (!match.Success || match.Groups["folder"].Value != folder)
            {
                continue;
            }

            var sql = ReadResource(assembly, resource).ReplaceLineEndings("\n");
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            scripts.Add(new MigrationScript(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                sql,
                checksum));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException($"Two {folder} migrations share number {scripts[i].Version}.");
            }
        }

        return scripts;
    }

    public static string FolderOf(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => "sqlite",
        StorageProvider.Postgres => "postgres",
        StorageProvider.SqlServer => "sqlserver",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^db/(?<folder>[a-z]+)/(?<name>(?<version>\d{4})_[a-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Waiting for the {Provider} database: {Reason}")]
    private static partial void LogWaiting(ILogger logger, StorageProvider provider, string reason);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Applied migration {Name} ({Provider})")]
    private static partial void LogApplied(ILogger logger, string name, StorageProvider provider);
}

public sealed record MigrationScript(int Version, string Name, string Sql, string Checksum);
