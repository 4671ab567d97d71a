using System.ComponentModel.DataAnnotations;

namespace Integrator.Api.Support;

/// <summary>What a support key may do: a Viewer reads; an Operator also acts (release, replay, resend, recover, accept).</summary>
public enum SupportRole
{
    Viewer,
    Operator,
}

public sealed class SupportApiKeyOptions
{
    /// <summary>Who acts with this key; recorded in the audit trail and in reservation history.</summary>
    public string Name { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public SupportRole Role { get; set; } = SupportRole.Operator;
}

/// <summary>Support API keys (<c>Support:ApiKeys</c>). With none, the support API refuses everyone.</summary>
public sealed class SupportOptions : IValidatableObject
{
    public const string Section = "Support";
    public const int MinimumKeyLength = 24;

    public IList<SupportApiKeyOptions> ApiKeys { get; } = [];

    /// <summary>Failed keys (API or console sign-in) one client address may present per minute before it is refused (429).</summary>
    [Range(1, 100_000)]
    public int FailedKeysPerMinute { get; set; } = 20;

    /// <summary>
    /// Addresses (<c>;</c>-separated, like <c>urls</c>) on which only the support API and console answer, e.g. an internal
    /// interface; the Google-facing routes never answer there, and the support surfaces then answer nowhere else. Empty:
    /// everything on every address.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>
    /// Where the console's session cookies are protected with keys that every instance must share (a folder they all
    /// reach). Empty: <c>data/console-keys</c> under the content root, good for one instance.
    /// </summary>
    public string? DataProtectionKeysFolder { get; set; }

    /// <summary>A PFX file whose certificate encrypts those keys at rest (the same on every instance); without it they are plain XML.</summary>
    public string? DataProtectionCertificate { get; set; }

    /// <summary>The PFX file's password, if it has one.</summary>
    public string? DataProtectionCertificatePassword { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var key in ApiKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                yield return new ValidationResult("Every Support:ApiKeys entry needs a name.", [nameof(ApiKeys)]);
            }
            else if (key.Key.Length < MinimumKeyLength)
            {
                // The key itself is never repeated in a message.
                yield return new ValidationResult($"Support:ApiKeys '{key.Name}' is shorter than {MinimumKeyLength} characters.", [nameof(ApiKeys)]);
            }
        }

        if (ApiKeys.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count() != ApiKeys.Count)
        {
            yield return new ValidationResult("Support:ApiKeys names must be unique (they identify who acted).", [nameof(ApiKeys)]);
        }

        if (ApiKeys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() != ApiKeys.Count)
        {
            yield return new ValidationResult("Support:ApiKeys keys must be unique.", [nameof(ApiKeys)]);
        }
    }
}
