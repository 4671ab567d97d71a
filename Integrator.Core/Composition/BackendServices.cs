using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Integrator.Core.Backend;
using Integrator.Core.Backend.Http;
using Integrator.Core.Backend.Mollie;
using Integrator.Core.Backend.StandIn;
using Integrator.Core.Cancellation;
using Integrator.Core.Idempotency;
using Integrator.Core.Ledger;
using Integrator.Core.Refunds;
using Integrator.Core.Reservations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Composition;

/// <summary>
/// Where the money lives (README "Account back ends"): the back-end commands and their resolver (idle with the embedded
/// ledger), the configured provider's connector and HTTP client, the Development stand-ins, and each feature's
/// completion of its kind of command.
/// </summary>
public static class BackendServices
{
    public static IServiceCollection AddBackend(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<BackendOptions>, BackendOptionsValidator>();
        // As for Google: a stand-in answers only where no back end is configured.
        services.AddOptions<BackendOptions>().PostConfigure(backend =>
        {
            var http = backend.Http;
            http.StandIn &= backend.Provider == BackendProvider.Http && http.BaseUrl is null;
            http.BaseUrl ??= http.StandIn ? new Uri(StandInCore.BaseUrl) : null;
            http.EventSecret ??= http.StandIn ? Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) : null;
            var mollie = backend.Mollie;
            mollie.StandIn &= backend.Provider == BackendProvider.Mollie && mollie.ApiKey is null;
            if (mollie.StandIn)
            {
                mollie.BaseUrl = new Uri(StandInMollie.BaseUrl);
                mollie.WebhookUrl ??= new Uri($"http://localhost{mollie.WebhookPath}");
            }
        });

        services.AddSingleton<CommandSignal>();
        services.AddSingleton<CommandStore>();
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<BackendMetrics>();
        services.AddSingleton<IPendingResolver, PendingCommands>();
        services.AddSingleton<AccountDirectory>();
        services.AddSingleton<BackendEvents>();
        services.AddSingleton<MollieWebhooks>();
        services.AddSingleton<HttpBackend>();
        services.AddSingleton<MollieBackend>();
        services.AddSingleton<IBackendConnector>(sp => sp.GetRequiredService<IOptions<BackendOptions>>().Value.Provider == BackendProvider.Mollie
            ? sp.GetRequiredService<MollieBackend>()
            : sp.GetRequiredService<HttpBackend>());
        services.AddSingleton<ICommandCompletion>(sp => sp.GetRequiredService<ReserveFundsHandler>());
        services.AddSingleton<ICommandCompletion>(sp => sp.GetRequiredService<CaptureFundsHandler>());
        services.AddSingleton<ICommandCompletion>(sp => sp.GetRequiredService<CancelFundsHandler>());
        services.AddSingleton<ICommandCompletion>(sp => sp.GetRequiredService<RefundHandler>());
        services.AddSingleton(StandInCoreOf);
        services.AddSingleton(StandInMollieOf);

        // Each attempt is recorded on its command; the factory's own per-request log lines would only cost.
        services.AddHttpClient(BackendOptions.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var backend = sp.GetRequiredService<IOptions<BackendOptions>>().Value;
                if (backend.Provider == BackendProvider.Http && backend.Http.StandIn)
                {
                    return sp.GetRequiredService<StandInCore>().Handler(new Uri(StandInCore.BaseUrl).AbsolutePath);
                }

                if (backend.Provider == BackendProvider.Mollie && backend.Mollie.StandIn)
                {
                    return sp.GetRequiredService<StandInMollie>().Handler();
                }

                var handler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
                if (backend.Provider == BackendProvider.Http && backend.Http.ClientCertificate is { } certificate)
                {
                    handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12FromFile(certificate, backend.Http.ClientCertificatePassword)];
                }

                return handler;
            });
        return services;
    }

    /// <summary>The Development core: the seed's accounts and balances; its events arrive in-process, signed like any core's.</summary>
    private static StandInCore StandInCoreOf(IServiceProvider sp)
    {
        var core = new StandInCore(sp.GetRequiredService<TimeProvider>());
        if (Seed(sp) is { } seed)
        {
            core.Open(seed);
        }

        var http = sp.GetRequiredService<IOptions<BackendOptions>>().Value.Http;
        core.Events = async holdId =>
        {
            var body = Encoding.UTF8.GetBytes(new JsonObject { ["holdId"] = holdId }.ToJsonString());
            await sp.GetRequiredService<BackendEvents>().ReceiveAsync(body, BackendEvents.Sign(body, http.EventSecret!), CancellationToken.None);
        };
        return core;
    }

    /// <summary>
    /// The Development Mollie: a card mandate for every seed account with a <c>mollie</c> entry, behaving as the account
    /// would (its balance, or its transaction limit if lower, is the card's limit; a closed account's card has expired,
    /// one on hold is suspected of fraud); its webhooks arrive in-process.
    /// </summary>
    private static StandInMollie StandInMollieOf(IServiceProvider sp)
    {
        var mollie = new StandInMollie(sp.GetRequiredService<TimeProvider>());
        foreach (var account in Seed(sp)?.Accounts.Where(a => a.Mollie is not null) ?? [])
        {
            var failure = account.Status switch { "CLOSED" => "card_expired", "ON_HOLD" => "possible_fraud", _ => null };
            var limit = Math.Min(account.BalanceMicros ?? 0, account.TransactionLimitMicros ?? long.MaxValue);
            mollie.AddMandate(account.Mollie!.CustomerId!, account.Mollie.MandateId!, limitMicros: limit, failureReason: failure);
        }

        mollie.Webhooks = (_, paymentId) => sp.GetRequiredService<MollieWebhooks>().ReceiveAsync(paymentId, CancellationToken.None);
        return mollie;
    }

    private static SeedDocument? Seed(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<LedgerOptions>>().Value.SeedFile is { Length: > 0 } seed
            ? LedgerSeeder.Load(Path.GetFullPath(seed, sp.GetRequiredService<IHostEnvironment>().ContentRootPath))
            : null;
}
