using Integrator.Core.Backend;
using Integrator.Core.DevGoogle;
using Integrator.Core.GoogleApi;
using Integrator.Core.Gsp;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Integrator.Core.Ledger;
using Integrator.Core.Notifications;
using Integrator.Core.Pipeline;
using Integrator.Core.Redirect;
using Integrator.Core.Refunds;
using Integrator.Core.Remittance;
using Integrator.Core.Reservations;
using Integrator.Core.Security;
using Integrator.Core.Security.Pgp;
using Integrator.Core.Storage;
using Integrator.Core.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Composition;

public static class IntegratorServices
{
    /// <summary>The configuration sections Integrator.Core binds, for <see cref="IntegratorSettings.Problems"/>.</summary>
    public static readonly IReadOnlyList<(string Section, Type Options)> Sections =
    [
        (StorageOptions.Section, typeof(StorageOptions)),
        (GspOptions.Section, typeof(GspOptions)),
        (IdempotencyOptions.Section, typeof(IdempotencyOptions)),
        (ReservationOptions.Section, typeof(ReservationOptions)),
        (LedgerOptions.Section, typeof(LedgerOptions)),
        (MessageSecurityOptions.Section, typeof(MessageSecurityOptions)),
        (NotificationOptions.Section, typeof(NotificationOptions)),
        (GoogleOptions.Section, typeof(GoogleOptions)),
        (RemittanceOptions.Section, typeof(RemittanceOptions)),
        (RedirectOptions.Section, typeof(RedirectOptions)),
        (BackendOptions.Section, typeof(BackendOptions)),
    ];

    /// <summary>Everything behind the HTTP surface: options (validated at startup), storage, protocol and jobs.</summary>
    public static IServiceCollection AddIntegratorCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);

        AddValidatedOptions<StorageOptions>(services, StorageOptions.Section);
        AddValidatedOptions<GspOptions>(services, GspOptions.Section);
        AddValidatedOptions<IdempotencyOptions>(services, IdempotencyOptions.Section);
        AddValidatedOptions<ReservationOptions>(services, ReservationOptions.Section);
        AddValidatedOptions<LedgerOptions>(services, LedgerOptions.Section);
        AddValidatedOptions<MessageSecurityOptions>(services, MessageSecurityOptions.Section);
        AddValidatedOptions<NotificationOptions>(services, NotificationOptions.Section);
        AddValidatedOptions<RemittanceOptions>(services, RemittanceOptions.Section);
        AddValidatedOptions<RedirectOptions>(services, RedirectOptions.Section);
        AddValidatedOptions<GoogleOptions>(services, GoogleOptions.Section);
        AddValidatedOptions<BackendOptions>(services, BackendOptions.Section);
        services.AddSingleton<IValidateOptions<GoogleOptions>, GoogleOptionsValidator>();
        services.AddOptions<StorageOptions>().PostConfigure<IHostEnvironment>((storage, environment) =>
        {
            if (storage.Provider == StorageProvider.Sqlite && string.IsNullOrWhiteSpace(storage.ConnectionString))
            {
                storage.ConnectionString = StorageOptions.DefaultSqlite(environment.EnvironmentName);
            }
        });
        // The stand-in answers only where nothing else is configured: a Google:BaseUrl wins, and PGP needs the real Google.
        // (The mode is read raw: the validated MessageSecurityOptions would report its own failures in Google's place.)
        services.AddOptions<GoogleOptions>().PostConfigure<IConfiguration>((google, configuration) =>
        {
            var plaintext = string.Equals(configuration["MessageSecurity:Mode"], nameof(MessageSecurityMode.None), StringComparison.OrdinalIgnoreCase);
            google.StandIn &= google.BaseUrl is null && plaintext;
            google.BaseUrl ??= google.StandIn ? new Uri(GoogleStandIn.BaseUrl) : null;
        });
        services.AddSingleton<IValidateOptions<MessageSecurityOptions>, MessageSecurityOptionsValidator>();
        services.AddSingleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>();
        services.AddSingleton<IValidateOptions<RemittanceOptions>, RemittanceOptionsValidator>();

        services.AddSingleton<SqlDialect>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var contentRoot = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            try
            {
                return storage.Provider switch
                {
                    StorageProvider.Sqlite => new SqliteDialect(storage.ConnectionString, storage.LockTimeout, contentRoot),
                    StorageProvider.Postgres => new PostgresDialect(storage.ConnectionString, storage.LockTimeout),
                    StorageProvider.SqlServer => new SqlServerDialect(storage.ConnectionString, storage.LockTimeout),
                    _ => throw new InvalidOperationException($"Unknown Storage:Provider {storage.Provider}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                // The driver's own words, never the string (it may hold a password).
                throw new InvalidOperationException($"Storage:ConnectionString is not a valid {storage.Provider} connection string: {e.Message}", e);
            }
        });
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new Database(sp.GetRequiredService<SqlDialect>(), storage.MaxQueuedWrites, storage.MaxBatch);
        });
        services.AddSingleton<Migrator>();

        services.AddSingleton<ILedger, SqlLedger>();
        services.AddSingleton<LedgerSeeder>();
        services.AddSingleton<ReservationStore>();
        services.AddSingleton<RefundStore>();
        services.AddSingleton<StatementStore>();
        services.AddSingleton<OurRecords>();
        services.AddSingleton<GoogleRemittanceClient>();
        services.AddSingleton<RemittanceMetrics>();
        services.AddSingleton<RedirectSessionStore>();
        services.AddSingleton<RedirectFlow>();
        services.AddSingleton<SeedCustomerSignIn>();
        services.AddSingleton<ProviderCustomerSignIn>();
        services.TryAddSingleton<ICustomerSignIn>(sp => sp.GetRequiredService<IOptions<RedirectOptions>>().Value.Oidc.IsConfigured
            ? sp.GetRequiredService<ProviderCustomerSignIn>()
            : sp.GetRequiredService<SeedCustomerSignIn>());
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<GoogleClient>();
        services.AddSingleton<GoogleNotificationSender>();
        services.AddMetrics();
        services.AddSingleton<NotificationMetrics>();
        services.AddHttpClient(GoogleClient.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.HttpTimeout;
                client.MaxResponseContentBufferSize = 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOptions<GoogleOptions>>().Value.StandIn
                ? sp.GetRequiredService<GoogleStandIn>().Handler()
                : new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                });
        services.AddSingleton<GoogleStandIn>();

        services.AddBackend();

        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<InFlightRequests>();
        services.AddSingleton<RecentResponses>();
        services.AddSingleton<IdempotentExecutor>();
        AddBackgroundService<RequestJournal>(services);

        services.AddSingleton(sp => PgpKeyringLoader.Load(
            sp.GetRequiredService<IOptions<MessageSecurityOptions>>().Value.Pgp,
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<TimeProvider>().GetUtcNow(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PgpKeyringLoader).FullName!)));
        services.AddSingleton(sp => new PgpOpener(
            sp.GetRequiredService<PgpKeyring>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<MessageSecurityOptions>>().Value.Pgp.AllowWildcardRecipient));
        services.AddSingleton<PgpSealer>();
        services.AddSingleton<IMessageCodec>(sp =>
            sp.GetRequiredService<IOptions<MessageSecurityOptions>>().Value.Mode switch
            {
                MessageSecurityMode.None => new PlaintextCodec(),
                _ => new PgpCodec(sp.GetRequiredService<PgpOpener>(), sp.GetRequiredService<PgpSealer>(), sp.GetRequiredService<ILogger<PgpCodec>>()),
            });
        services.AddSingleton<SupportAudit>();
        services.AddSingleton<ConsoleSessionStore>();
        services.AddSingleton<ReservationSupport>();
        services.AddSingleton<RequestSupport>();
        services.AddSingleton<NotificationSupport>();
        services.AddSingleton<StatementSupport>();
        services.AddSingleton<RedirectSupport>();
        services.AddSingleton<SearchSupport>();
        services.AddSingleton<ReservationListSupport>();
        services.AddSingleton<AccountSupport>();
        services.AddSingleton<ProposalSupport>();
        services.AddSingleton<OverviewSupport>();
        services.AddSingleton<CommandSupport>();
        services.AddSingleton<RequestChecks>();
        services.AddSingleton<GspMetrics>();
        services.AddSingleton<GspGateway>();
        services.AddGspEndpoints();

        // First hosted service: nothing else runs before the schema and the seed are in place.
        services.AddHostedService<IntegratorStartup>();
        AddBackgroundService<RetentionPurger>(services);
        AddBackgroundService<ExpirySweeper>(services);
        AddBackgroundService<NotificationDispatcher>(services);
        AddBackgroundService<RemittanceReconciler>(services);
        AddBackgroundService<CommandResolver>(services);
        return services;
    }

    /// <summary>A singleton (so tests and support can reach it) that also runs as a hosted service.</summary>
    private static void AddBackgroundService<T>(IServiceCollection services)
        where T : class, IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }

    internal static void AddValidatedOptions<T>(IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
