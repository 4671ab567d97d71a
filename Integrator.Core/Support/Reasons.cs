namespace Integrator.Core.Support;

/// <summary>A reason support gives for an action; required where the action changes money or delivery.</summary>
public static class Reasons
{
    public const int MaxLength = 500;

    public static SupportError? Check(string? reason, bool required) => reason switch
    {
        null or "" when required => SupportError.Invalid("A reason is required for this action."),
        { Length: > MaxLength } => SupportError.Invalid($"The reason is longer than {MaxLength} characters."),
        _ when required && string.IsNullOrWhiteSpace(reason) => SupportError.Invalid("A reason is required for this action."),
        _ => null,
    };
}
