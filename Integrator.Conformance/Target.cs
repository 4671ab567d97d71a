using System.Globalization;

namespace Integrator.Conformance;

/// <summary>
/// What the kit knows of the endpoint under test, from environment variables (README "Conformance kit"): where it is,
/// which paymentIntegratorAccountIds it serves, how its messages are secured, which accounts the checks may use, and
/// where its notifications to Google arrive. Nothing else: the kit is a client.
/// </summary>
public sealed class Target
{
    public const string Prefix = "CONFORMANCE_";

    private static readonly Lazy<Target?> Configured = new(Load);

    private Target(Uri baseUrl, string basePath, IReadOnlyList<string> accountIds, Accounts accounts)
    {
        BaseUrl = baseUrl;
        BasePath = basePath;
        AccountIds = accountIds;
        Accounts = accounts;
    }

    public Uri BaseUrl { get; }

    /// <summary>Prefix of the Google-facing routes (Gsp:BasePath), e.g. <c>/gsp</c>; empty by default.</summary>
    public string BasePath { get; }

    public IReadOnlyList<string> AccountIds { get; }

    public string AccountId => AccountIds[0];

    public Accounts Accounts { get; }

    /// <summary>Null in plaintext mode (a Development server).</summary>
    public PgpSecurity? Pgp { get; private init; }

    /// <summary>Where the kit listens as Google for notifications (the target's Google:BaseUrl is http://127.0.0.1:{port}/gsp).</summary>
    public int? NotificationPort { get; private init; }

    /// <summary>The target's reservation lifetime, when short enough to wait out (expiry checks run only then).</summary>
    public TimeSpan? ReservationLifetime { get; private init; }

    public TimeSpan NotificationWait { get; private init; } = TimeSpan.FromSeconds(30);

    /// <summary>The configured target; a check without one is skipped, naming the variable to set.</summary>
    public static Target Current => Configured.Value
        ?? throw new IgnoreException($"No target: set {Prefix}BASE_URL (README \"Conformance kit\").");

    public static string ReportFolder =>
        Environment.GetEnvironmentVariable(Prefix + "REPORT_DIR") is { Length: > 0 } folder ? folder : TestContext.CurrentContext.WorkDirectory;

    private static Target? Load()
    {
        if (Variable("BASE_URL") is not { } baseUrl)
        {
            return null;
        }

        var accountIds = (Variable("PIAIDS") ?? throw Missing("PIAIDS")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var accountsFile = Variable("ACCOUNTS") ?? Path.Combine(AppContext.BaseDirectory, "accounts.example.json");
        var security = Variable("SECURITY") ?? "pgp";
        return new Target(new Uri(baseUrl), (Variable("BASE_PATH") ?? string.Empty).TrimEnd('/'), accountIds, Accounts.Load(accountsFile))
        {
            Pgp = security switch
            {
                "plaintext" => null,
                "pgp" => PgpSecurity.Load(
                    Variable("TARGET_PUBLIC_KEY") ?? throw Missing("TARGET_PUBLIC_KEY"),
                    Variable("GOOGLE_SECRET_KEY") ?? throw Missing("GOOGLE_SECRET_KEY"),
                    Variable("GOOGLE_PASSPHRASE") ?? string.Empty),
                _ => throw new InvalidOperationException($"{Prefix}SECURITY is '{security}': pgp or plaintext."),
            },
            NotificationPort = Variable("NOTIFICATION_PORT") is { } port ? int.Parse(port, CultureInfo.InvariantCulture) : null,
            ReservationLifetime = Variable("RESERVATION_LIFETIME") is { } lifetime ? TimeSpan.Parse(lifetime, CultureInfo.InvariantCulture) : null,
            NotificationWait = Variable("NOTIFICATION_WAIT") is { } wait ? TimeSpan.Parse(wait, CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(30),
        };
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(Prefix + name) is { Length: > 0 } value ? value : null;

    private static InvalidOperationException Missing(string name) => new($"{Prefix}{name} is required.");
}

