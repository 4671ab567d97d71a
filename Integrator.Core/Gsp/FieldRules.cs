using System.Buffers;

namespace Integrator.Core.Gsp;

/// <summary>GSP's value rules for single fields; each returns the INVALID_FIELD_VALUE error or null.</summary>
public static class FieldRules
{
    public const int MaxRequestIdLength = 100;

    private static readonly SearchValues<char> RequestIdCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-");

    public static bool IsValidRequestId(string value) =>
        value.Length is > 0 and <= MaxRequestIdLength && !value.AsSpan().ContainsAnyExcept(RequestIdCharacters);

    public static GspError? RequestId(string value, string field) =>
        IsValidRequestId(value) ? null : GspError.InvalidField(field, "1 to 100 characters of [A-Za-z0-9:_-]");

    public static GspError? NotEmpty(string value, string field) =>
        value.Length > 0 ? null : GspError.InvalidField(field, "must not be empty");

    public static GspError? Currency(string value, string field) =>
        Currencies.IsIso4217(value) ? null : GspError.InvalidField(field, "must be an ISO 4217 currency code");

    public static GspError? PositiveMicros(long value, string field) =>
        value > 0 ? null : GspError.InvalidField(field, "must be a positive amount of micros");
}
