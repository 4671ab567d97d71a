using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Redirect;

/// <summary>The redirect page (docs/gsp-rules.md §8, README "The redirect"); what Google leaves undocumented is configurable here.</summary>
public sealed class RedirectOptions : IValidatableObject
{
    public const string Section = "Redirect";

    /// <summary>Longest URL the page takes (scheme, host, path and query), as redirect-fop-v1 asks of integrators.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Where Google sends the customer's browser (HTTPS GET).</summary>
    [Required]
    public string Path { get; set; } = "/redirect-payment-token-v1/redirect";

    /// <summary>The query parameter with the base64url of the sealed GeneratePaymentTokenRedirectRequest.</summary>
    [Required]
    public string RequestParameter { get; set; } = "redirectRequest";

    /// <summary>The query parameter with the URL the browser goes back to.</summary>
    [Required]
    public string CallbackParameter { get; set; } = "callbackUrl";

    /// <summary>
    /// Hosts <c>callbackUrl</c> may name: exact (<c>pay.google.com</c>) or a suffix (<c>*.example.com</c>); empty means
    /// <see cref="DefaultCallbackHost"/> alone. It must be HTTPS, except to a loopback host. A suffix is rarely safe:
    /// <c>*.google.com</c> admits hosts anyone can publish on (script.google.com, sites.google.com) and redirectors
    /// (www.google.com/url), and <c>callbackUrl</c> is outside Google's signature.
    /// </summary>
    public List<string> AllowedCallbackHosts { get; set; } = [];

    /// <summary>The oldest <c>requestTimestamp</c> a redirect may carry when the browser arrives.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong passcodes in a row before a customer is locked out for <see cref="SignInLockout"/>.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SignInLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Sign-in checks one client address may make per minute, any customer id (a budget refilled continuously; a
    /// success gives its check back, so a right passcode never uses it up).
    /// </summary>
    [Range(1, 100_000)]
    public int FailedSignInsPerMinute { get; set; } = 20;

    /// <summary>Passcodes hashed at once by this instance (the hash is slow on purpose); more wait, then are told to retry.</summary>
    [Range(1, 256)]
    public int MaxConcurrentSignIns { get; set; } = 4;

    /// <summary>How long a browser's redirect session (its cookie) lasts without being finished.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan BrowserSessionLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>With its Authority set, customers sign in through the bank's OpenID Connect provider instead of the seed's passcodes.</summary>
    public CustomerOidcOptions Oidc { get; set; } = new();

    /// <summary>Google Pay's host, where Google's redirect flows return the customer; confirm it with Google at onboarding.</summary>
    public const string DefaultCallbackHost = "pay.google.com";

    public IReadOnlyList<string> CallbackHosts => AllowedCallbackHosts.Count == 0 ? [DefaultCallbackHost] : AllowedCallbackHosts;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Path.StartsWith('/') || Path.Contains('?', StringComparison.Ordinal) || Path.Contains('#', StringComparison.Ordinal))
        {
            yield return new ValidationResult("Redirect:Path must be a path that starts with '/'.", [nameof(Path)]);
        }

        foreach (var problem in Oidc.Problems($"{Section}:{nameof(Oidc)}"))
        {
            yield return problem;
        }

        foreach (var host in AllowedCallbackHosts)
        {
            var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (Uri.CheckHostName(name) == UriHostNameType.Unknown || name.Contains('*', StringComparison.Ordinal))
            {
                yield return new ValidationResult(
                    $"Redirect:AllowedCallbackHosts entry '{host}' is not a host name or '*.' followed by one.", [nameof(AllowedCallbackHosts)]);
            }
        }
    }
}
