namespace Integrator.Core.Support;

/// <summary>A LIKE pattern (with <c>ESCAPE '!'</c>) that finds text anywhere, whatever its case; % and _ in it are themselves.</summary>
public static class LikePattern
{
    public static string Contains(string text) =>
        "%" + text.ToLowerInvariant()
            .Replace("!", "!!", StringComparison.Ordinal)
            .Replace("%", "!%", StringComparison.Ordinal)
            .Replace("_", "!_", StringComparison.Ordinal) + "%";
}
