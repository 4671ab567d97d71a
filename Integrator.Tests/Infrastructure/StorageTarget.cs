using Dapper;
using Integrator.Core.Storage;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A storage engine the suites run on: SQLite always; PostgreSQL when INTEGRATOR_TEST_POSTGRES, and SQL Server when
/// INTEGRATOR_TEST_SQLSERVER, holds a connection string (with rights to create schemas or databases). An unconfigured
/// engine makes its fixtures report "skipped" with the reason.
/// </summary>
public sealed record StorageTarget(StorageProvider Provider, string? AdminConnectionString)
{
    public const string PostgresVariable = "INTEGRATOR_TEST_POSTGRES";
    public const string SqlServerVariable = "INTEGRATOR_TEST_SQLSERVER";

    public static StorageTarget Sqlite { get; } = new(StorageProvider.Sqlite, null);

    public static IEnumerable<StorageTarget> All =>
    [
        Sqlite,
        new(StorageProvider.Postgres, Environment.GetEnvironmentVariable(PostgresVariable)),
        new(StorageProvider.SqlServer, Environment.GetEnvironmentVariable(SqlServerVariable)),
    ];

    public void IgnoreIfUnconfigured()
    {
        if (Provider != StorageProvider.Sqlite && string.IsNullOrWhiteSpace(AdminConnectionString))
        {
            Assert.Ignore($"{Provider} is not configured: set {(Provider == StorageProvider.Postgres ? PostgresVariable : SqlServerVariable)} to a connection string to run these tests on it.");
        }
    }

    /// <summary>A fresh, empty database for one test server (and the instances that share it).</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(string folder)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..20];
        switch (Provider)
        {
            case StorageProvider.Sqlite:
                return new TestDatabase(Provider, $"Data Source={Path.Combine(folder, "integrator.db")}", () => Task.CompletedTask);
            case StorageProvider.Postgres:
            {
                await using var admin = new NpgsqlConnection(AdminConnectionString);
                await admin.ExecuteAsync($"CREATE SCHEMA {name}");
                var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { SearchPath = name, MaxPoolSize = 50 };
                return new TestDatabase(Provider, builder.ConnectionString, async () =>
                {
                    NpgsqlConnection.ClearAllPools();
                    await using var drop = new NpgsqlConnection(AdminConnectionString);
                    await drop.ExecuteAsync($"DROP SCHEMA IF EXISTS {name} CASCADE");
                });
            }

            default:
            {
                await using var admin = new SqlConnection(AdminConnectionString);
                await admin.ExecuteAsync($"CREATE DATABASE [{name}]");
                var builder = new SqlConnectionStringBuilder(AdminConnectionString) { InitialCatalog = name };
                return new TestDatabase(Provider, builder.ConnectionString, async () =>
                {
                    SqlConnection.ClearAllPools();
                    await using var drop = new SqlConnection(AdminConnectionString);
                    await drop.ExecuteAsync($"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{name}]");
                });
            }
        }
    }

    public override string ToString() => Provider.ToString();
}

public sealed record TestDatabase(StorageProvider Provider, string ConnectionString, Func<Task> Drop);
