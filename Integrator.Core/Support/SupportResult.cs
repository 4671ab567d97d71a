namespace Integrator.Core.Support;

public enum SupportErrorKind
{
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>An expected refusal of a support request; the API turns it into RFC 9457 problem details.</summary>
public sealed record SupportError(SupportErrorKind Kind, string Detail)
{
    public static SupportError NotFound(string detail) => new(SupportErrorKind.NotFound, detail);

    public static SupportError Conflict(string detail) => new(SupportErrorKind.Conflict, detail);

    public static SupportError Invalid(string detail) => new(SupportErrorKind.Invalid, detail);
}

/// <summary>The value a support request asked for, or why it is refused. Faults are exceptions.</summary>
public readonly record struct SupportResult<T>(T? Value, SupportError? Error)
    where T : class
{
    public static implicit operator SupportResult<T>(T value) => new(value, null);

    public static implicit operator SupportResult<T>(SupportError error) => new(null, error);
}

/// <summary>Who acts through the support API: the name of the API key.</summary>
public sealed record SupportActor(string Name);

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
