using Integrator.Api.Support;
using Integrator.Core.GoogleApi;
using Integrator.Core.Ledger;
using Integrator.Core.Security;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>
/// The first thing that starts: the conveniences of the zero-configuration Development run (plaintext Google routes,
/// the support key and seed shipped in the repository, the Google stand-in) are refused unless the environment is
/// Development and every endpoint is loopback, and announced loudly when in force. A production host started with the
/// wrong environment, or a copied launch profile, stops here instead of accepting unsigned money instructions.
/// </summary>
internal sealed partial class DevelopmentSafety(
    IHostEnvironment environment,
    IConfiguration configuration,
    IOptions<MessageSecurityOptions> security,
    IOptions<SupportOptions> support,
    IOptions<LedgerOptions> ledger,
    IOptions<GoogleOptions> google,
    ILogger<DevelopmentSafety> logger) : IHostedService
{
    /// <summary>The support key of appsettings.Development.json: public, in the repository.</summary>
    public const string DevelopmentSupportKey = "dev-support-key-not-for-production";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var conveniences = new List<string>();
        if (security.Value.Mode == MessageSecurityMode.None)
        {
            conveniences.Add("plaintext JSON on the Google routes (MessageSecurity:Mode=None): anyone who reaches them can reserve, capture and cancel");
        }

        if (support.Value.ApiKeys.Any(k => k.Key == DevelopmentSupportKey))
        {
            conveniences.Add("the repository's development support key (Support:ApiKeys, see appsettings.Development.json)");
        }

        if (ledger.Value.SeedFile is { Length: > 0 } seed
            && Path.GetFullPath(seed, environment.ContentRootPath) == Path.Combine(environment.ContentRootPath, "dev", "ledger-seed.json"))
        {
            conveniences.Add("the development ledger seed (Ledger:SeedFile=dev/ledger-seed.json)");
        }

        if (google.Value.StandIn)
        {
            conveniences.Add("the built-in Google stand-in (Google:StandIn): notifications go nowhere outside this process");
        }

        if (conveniences.Count == 0)
        {
            return Task.CompletedTask;
        }

        var exposed = ListenAddresses.From(configuration).Where(url => !ListenAddresses.IsLoopback(url)).ToList();
        if (!environment.IsDevelopment() || exposed.Count > 0)
        {
            var why = !environment.IsDevelopment()
                ? $"the environment is {environment.EnvironmentName}"
                : $"it listens beyond loopback ({string.Join(", ", exposed)})";
            throw new AggregateException(conveniences.Select(c => new InvalidOperationException(
                $"Refused: {c} — allowed only in Development on loopback, and {why}.")));
        }

        foreach (var convenience in conveniences)
        {
            LogConvenience(logger, convenience);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "DEVELOPMENT ONLY, NEVER EXPOSE THIS SERVER: {Convenience}")]
    private static partial void LogConvenience(ILogger logger, string convenience);
}
