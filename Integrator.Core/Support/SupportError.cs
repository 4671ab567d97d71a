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
