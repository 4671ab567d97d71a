using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Integrator.Core;

/// <summary>
/// The configuration sections Integrator owns, and a check that every key set under them is one Integrator reads:
/// a misspelt key (<c>Gsp__ClockSkw</c>) is an error at startup instead of a setting silently ignored.
/// </summary>
public static class IntegratorSettings
{
    /// <summary>The unknown keys under <paramref name="sections"/>, each with the nearest known key when there is one.</summary>
    public static IReadOnlyList<string> UnknownKeys(IConfiguration configuration, IEnumerable<(string Section, Type Options)> sections)
    {
        var problems = new List<string>();
        foreach (var (section, type) in sections)
        {
            Walk(configuration.GetSection(section), type, problems);
        }

        return problems;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var nearest = properties.Keys.MinBy(k => Distance(k.ToUpperInvariant(), child.Key.ToUpperInvariant()));
                var hint = nearest is not null && Distance(nearest.ToUpperInvariant(), child.Key.ToUpperInvariant()) <= 3
                    ? $" (did you mean {section.Path}:{nearest}?)"
                    : string.Empty;
                problems.Add($"{child.Path} is not a setting of Integrator{hint}.");
                continue;
            }

            var element = ElementType(property.PropertyType);
            if (element is not null)
            {
                if (IsComplex(element))
                {
                    foreach (var item in child.GetChildren())
                    {
                        Walk(item, element, problems);
                    }
                }
            }
            else if (IsComplex(property.PropertyType))
            {
                Walk(child, property.PropertyType, problems);
            }
        }
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element
        : null;

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(Uri) && !typeof(IEnumerable).IsAssignableFrom(type);

    /// <summary>Levenshtein distance, for the "did you mean" hint.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
