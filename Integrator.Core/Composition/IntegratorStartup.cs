using Integrator.Core.Ledger;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Composition;

/// <summary>
/// Runs before the server accepts requests and before any background job: loads the message codec (and with it every
/// key file), applies migrations, then upserts the ledger seed. A failure here stops startup with a message that says
/// what to fix.
/// </summary>
public sealed class IntegratorStartup(
    IMessageCodec codec, Migrator migrator, LedgerSeeder seeder, IOptions<LedgerOptions> ledger, IHostEnvironment environment)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = codec; // resolved above: key files are read and checked now, not on the first request
        await migrator.MigrateAsync(cancellationToken);
        if (!string.IsNullOrWhiteSpace(ledger.Value.SeedFile))
        {
            await seeder.SeedAsync(Path.GetFullPath(ledger.Value.SeedFile, environment.ContentRootPath), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
