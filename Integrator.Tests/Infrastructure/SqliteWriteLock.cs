using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// SQLite's single write lock on an app's file, taken from outside as another writer would; the app's writes wait for
/// it. <see cref="WaitForGoogleCallsAsync"/> returns once that many Google calls run under their idempotency key (the
/// app's <c>integrator.gsp.keys_in_flight</c>), each then held at its write, so a test knows a request is held in the
/// database rather than guessing with a delay (background jobs' writes wait too, and are not counted).
/// </summary>
public sealed class SqliteWriteLock : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly MeterRecorder _meter;

    private SqliteWriteLock(SqliteConnection connection, MeterRecorder meter)
    {
        _connection = connection;
        _meter = meter;
    }

    public static async Task<SqliteWriteLock> TakeAsync(IntegratorApp app)
    {
        var meter = new MeterRecorder(app.Services.GetRequiredService<IMeterFactory>(), Integrator.Core.Telemetry.GspMeterName);
        var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync("BEGIN IMMEDIATE");
        return new SqliteWriteLock(connection, meter);
    }

    public Task WaitForGoogleCallsAsync(int count) =>
        Eventually.TrueAsync(() => Task.FromResult(_meter.Read("integrator.gsp.keys_in_flight") >= count), $"{count} Google calls wait for the lock");

    public async ValueTask DisposeAsync()
    {
        await _connection.ExecuteAsync("ROLLBACK");
        await _connection.DisposeAsync();
        _meter.Dispose();
    }
}
