using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;

namespace Integrator.Core.Storage;

public sealed class SqlServerDialect(string connectionString, TimeSpan lockTimeout) : SqlDialect
{
    // LOCK_TIMEOUT bounds every lock wait (error 1222); XACT_ABORT rolls the whole transaction back on any error.
    private readonly string _onOpenSql = $"SET LOCK_TIMEOUT {(int)lockTimeout.TotalMilliseconds}; SET XACT_ABORT ON;";

    public override StorageProvider Provider => StorageProvider.SqlServer;

    public override DbConnection CreateConnection() => new SqlConnection(connectionString);

    public override Task OnOpenedAsync(DbConnection connection, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(_onOpenSql, cancellationToken: ct));

    /// <summary>Chosen as a deadlock victim (1205): SQL Server rolled the transaction back.</summary>
    public override bool IsRetryable(Exception exception) => exception is SqlException { Number: 1205 };

    public override StorageFault Classify(Exception exception) => exception switch
    {
        SqlException { Number: 2601 or 2627 } => StorageFault.DuplicateKey,
        // Lock request timeout, deadlock victim.
        SqlException { Number: 1222 or 1205 } => StorageFault.Conflict,
        // Timeout, network errors, database unavailable or being recovered, Azure SQL throttling and failover.
        SqlException { Number: -2 or 2 or 53 or 40 or 121 or 233 or 10053 or 10054 or 10060 or 4060 or 40613 or 40197 or 40501 or 49918 or 49919 or 49920 }
            => StorageFault.Unavailable,
        _ => StorageFault.None,
    };

    public override string Limit(string parameter) => $"OFFSET 0 ROWS FETCH NEXT {parameter} ROWS ONLY";

    public override string CreateMigrationJournalSql => """
        IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
        CREATE TABLE schema_migrations (
            version    INT           NOT NULL PRIMARY KEY,
            name       NVARCHAR(200) NOT NULL,
            checksum   NVARCHAR(64)  NOT NULL,
            applied_at BIGINT        NOT NULL
        );
        """;

    public override Task LockForMigrationAsync(DbTx tx, CancellationToken ct) =>
        tx.ExecuteAsync(
            "EXEC sp_getapplock @Resource = N'integrator-migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000",
            null,
            ct);
}
