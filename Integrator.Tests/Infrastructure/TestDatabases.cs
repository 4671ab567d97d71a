using Dapper;
using Integrator.Core.Storage;

namespace Integrator.Tests.Infrastructure;

/// <summary>Reads a test database through Integrator's own storage layer, whatever the engine.</summary>
public static class TestDatabases
{
    public static Database Open(TestDatabase database) => new(database.Provider switch
    {
        StorageProvider.Sqlite => new SqliteDialect(database.ConnectionString, TimeSpan.FromSeconds(5), Path.GetTempPath()),
        StorageProvider.Postgres => new PostgresDialect(database.ConnectionString, TimeSpan.FromSeconds(5)),
        _ => new SqlServerDialect(database.ConnectionString, TimeSpan.FromSeconds(5)),
    });

    public static async Task<T> ScalarAsync<T>(Database database, string sql, object? param = null)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, param) ?? throw new InvalidOperationException($"No value for: {sql}");
    }
}
