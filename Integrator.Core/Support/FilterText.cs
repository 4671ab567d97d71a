namespace Integrator.Core.Support;

/// <summary>A list filter's text field as typed into a form: trimmed, and blank meaning "not filtered".</summary>
internal static class FilterText
{
    public static string? OrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
