using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Backend;

/// <summary>The account back end and how its commands are sent and resolved (README "Account back ends").</summary>
public sealed class BackendOptions : IValidatableObject
{
    public const string Section = "Backend";

    /// <summary>The HttpClient every remote provider reaches its back end with.</summary>
    public const string HttpClientName = "backend";

    public BackendProvider Provider { get; set; } = BackendProvider.Embedded;

    /// <summary>The money lives outside Integrator's database: movements are back-end commands.</summary>
    public bool IsRemote => Provider != BackendProvider.Embedded;

    /// <summary>How long a Google call waits for the back end's answer before it is answered 503 (Google retries).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:25")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>A command unconfirmed for longer than this is listed on the console's overview.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before a command whose outcome is unknown is sent again; doubling up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an idle resolver looks for due commands (a new command wakes it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claim on a command lasts; a crashed instance's commands are taken over after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Run the resolver in this instance (commands are written either way).</summary>
    public bool ResolverEnabled { get; set; } = true;

    public HttpBackendOptions Http { get; set; } = new();

    public MollieBackendOptions Mollie { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Backend:MaxRetryDelay must not be shorter than FirstRetryDelay.", [nameof(MaxRetryDelay)]);
        }

        if (Lease < Timeout + TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Backend:Lease must exceed Backend:Timeout by at least a second, or a slow send could be taken over.", [nameof(Lease)]);
        }
    }
}

/// <summary>The integrator's core behind the Http contract.</summary>
public sealed class HttpBackendOptions
{
    /// <summary>The contract's prefix, e.g. <c>https://core.bank.internal/gsp</c>; https outside Development.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer …</c>; never logged.</summary>
    public string? Token { get; set; }

    /// <summary>A PFX file with the TLS client certificate the core expects, if it expects one.</summary>
    public string? ClientCertificate { get; set; }

    public string? ClientCertificatePassword { get; set; }

    /// <summary>Where the core tells Integrator that a pending release finished (<c>{holdId}</c>, signed).</summary>
    [Required]
    public string EventsPath { get; set; } = "/backend/v1/events";

    /// <summary>The HMAC-SHA256 key of the events' <c>X-Signature</c>; without it, events are refused and releases polled.</summary>
    public string? EventSecret { get; set; }

    /// <summary>Development: with no BaseUrl, the in-process stand-in core answers (shown at <c>/dev/core</c>).</summary>
    public bool StandIn { get; set; }
}

/// <summary>Card authorizations at Mollie, through its Payments API v2 (docs/mollie.md).</summary>
public sealed class MollieBackendOptions
{
    public const string LiveBaseUrl = "https://api.mollie.com/v2";

    /// <summary>A test_ or live_ API key; sent as <c>Authorization: Bearer …</c>, never logged.</summary>
    public string? ApiKey { get; set; }

    public Uri BaseUrl { get; set; } = new(LiveBaseUrl);

    /// <summary>Where Mollie reaches Integrator's webhook (https, public); without it, Integrator polls the payments.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The path of that webhook on this server.</summary>
    [Required]
    public string WebhookPath { get; set; } = "/backend/v1/mollie";

    /// <summary>
    /// How long Mollie keeps an Idempotency-Key (its documentation: one hour), less a margin: past it, a payment, capture
    /// or refund whose answer was lost is looked up before it is sent again, so that it is never made twice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan KeyWindow { get; set; } = TimeSpan.FromMinutes(50);

    /// <summary>Development: with no ApiKey, the in-process stand-in Mollie answers (shown at <c>/dev/mollie</c>).</summary>
    public bool StandIn { get; set; }
}
