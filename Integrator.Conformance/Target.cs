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
        ?? throw new IgnoreException($"No target: give --base-url or set {Prefix}BASE_URL (README \"Conformance kit\").");

    /// <summary>
    /// For the tool: the target its options describe, or null after writing what is wrong to <paramref name="errors"/>
    /// (each message names the option or file at fault; the tool exits with 2).
    /// </summary>
    public static Target? Described(TextWriter errors)
    {
        try
        {
            return Current;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException
            or OverflowException or UriFormatException or System.Text.Json.JsonException or Org.BouncyCastle.Bcpg.OpenPgp.PgpException or IgnoreException)
        {
            errors.WriteLine($"gsp-conformance: {e.Message}");
            errors.WriteLine("Run gsp-conformance --help for the options.");
            return null;
        }
    }

    /// <summary>What the report's header says of the target: where, how secured, which PIAIDs.</summary>
    public static string Describe() => Configured.Value is { } target
        ? $"{target.BaseUrl.GetLeftPart(UriPartial.Authority)}{target.BasePath} · {(target.Pgp is null ? "plaintext" : "PGP")} · {string.Join(", ", target.AccountIds)}"
        : $"no target ({Prefix}BASE_URL is not set)";

    /// <summary>Replaces every secret of the accounts file in a report's text by the shell variable that stands for it.</summary>
    public static Func<string, string> Masking => Configured.Value is { } target ? target.Mask : text => text;

    public static string ReportFolder =>
        Environment.GetEnvironmentVariable(Prefix + "REPORT_DIR") is { Length: > 0 } folder ? folder : TestContext.CurrentContext.WorkDirectory;

    private string Mask(string text)
    {
        foreach (var (value, variable) in Accounts.Secrets)
        {
            text = text.Replace(value, "${" + variable + "}", StringComparison.Ordinal);
        }

        return text;
    }

    private static Target? Load()
    {
        if (Variable("BASE_URL") is not { } baseUrl)
        {
            return null;
        }

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"--base-url ({Prefix}BASE_URL) is '{baseUrl}': an absolute http or https URL.");
        }

        var accountIds = (Variable("PIAIDS") ?? throw Missing("PIAIDS", "--piaid")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var accountsFile = Variable("ACCOUNTS") ?? Path.Combine(AppContext.BaseDirectory, "accounts.example.json");
        var security = Variable("SECURITY") ?? "pgp";
        // A path in the base URL is part of the routes' prefix: https://host/gsp is --base-url https://host --base-path /gsp.
        var basePath = url.AbsolutePath.TrimEnd('/') + (Variable("BASE_PATH") ?? string.Empty).TrimEnd('/');
        return new Target(new Uri(url.GetLeftPart(UriPartial.Authority)), basePath, accountIds, Accounts.Load(accountsFile))
        {
            Pgp = security switch
            {
                "plaintext" => null,
                "pgp" => PgpSecurity.Load(
                    Variable("TARGET_PUBLIC_KEY") ?? throw Missing("TARGET_PUBLIC_KEY", "--target-public-key"),
                    Variable("GOOGLE_SECRET_KEY") ?? throw Missing("GOOGLE_SECRET_KEY", "--google-secret-key"),
                    Variable("GOOGLE_PASSPHRASE") ?? string.Empty),
                _ => throw new InvalidOperationException($"--security ({Prefix}SECURITY) is '{security}': pgp or plaintext."),
            },
            NotificationPort = Variable("NOTIFICATION_PORT") is { } port ? Parse(port, "NOTIFICATION_PORT", "--notification-port", p => int.Parse(p, CultureInfo.InvariantCulture) is var n and > 0 and < 65536 ? n : throw new FormatException()) : null,
            ReservationLifetime = Variable("RESERVATION_LIFETIME") is { } lifetime ? Parse(lifetime, "RESERVATION_LIFETIME", "--reservation-lifetime", l => TimeSpan.Parse(l, CultureInfo.InvariantCulture)) : null,
            NotificationWait = Variable("NOTIFICATION_WAIT") is { } wait ? Parse(wait, "NOTIFICATION_WAIT", "--notification-wait", w => TimeSpan.Parse(w, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(30),
        };
    }

    private static T Parse<T>(string value, string name, string option, Func<string, T> parse)
    {
        try
        {
            return parse(value);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidOperationException($"{option} ({Prefix}{name}) is '{value}', which is not a {(typeof(T) == typeof(int) ? "port" : "time span such as 00:00:03")}.", e);
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(Prefix + name) is { Length: > 0 } value ? value : null;

    private static InvalidOperationException Missing(string name, string option) => new($"{option} ({Prefix}{name}) is required.");
}

