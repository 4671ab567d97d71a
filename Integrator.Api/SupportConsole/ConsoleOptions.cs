using System.ComponentModel.DataAnnotations;
using Integrator.Core.Support;

namespace Integrator.Api.SupportConsole;

/// <summary>How people sign in to the console (README "Support console"): a support key, the organisation's provider, or both.</summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string Section = "Console";

    /// <summary>Whether a person may sign in with their support key; false leaves only <see cref="Oidc"/>.</summary>
    public bool KeySignIn { get; set; } = true;

    public ConsoleOidcOptions Oidc { get; set; } = new();

    /// <summary>Which money decisions need a second person (maker-checker); off by default.</summary>
    public FourEyesOptions FourEyes { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var path = $"{Section}:{nameof(Oidc)}";
        foreach (var problem in Oidc.Problems(path))
        {
            yield return problem;
        }

        if (Oidc.IsConfigured && Oidc.OperatorValues.Count + Oidc.ViewerValues.Count == 0)
        {
            yield return new ValidationResult($"{path}:OperatorValues or {path}:ViewerValues must name at least one value of {path}:RoleClaim: without them nobody can sign in.", [nameof(Oidc)]);
        }

        if (Oidc.IsConfigured && !(Oidc.CallbackPath.StartsWith("/console/", StringComparison.Ordinal) && Oidc.SignedOutCallbackPath.StartsWith("/console/", StringComparison.Ordinal)))
        {
            yield return new ValidationResult($"{path}:CallbackPath and {path}:SignedOutCallbackPath must lie under /console/ (the console's cookie and addresses).", [nameof(Oidc)]);
        }

        if (FourEyes.ReleaseAbove < 0)
        {
            yield return new ValidationResult($"{Section}:FourEyes:ReleaseAbove must not be negative.", [nameof(FourEyes)]);
        }

        if (!KeySignIn && !Oidc.IsConfigured)
        {
            yield return new ValidationResult($"{Section}:KeySignIn is false but {path}:Authority is not set: nobody could sign in to the console.", [nameof(KeySignIn)]);
        }
    }
}
