using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Integrator.Core.Composition;

/// <summary>
/// The configuration sections Integrator owns, checked before anything binds them, so that every problem of a start
/// is reported at once: a key no option reads (<c>Gsp__ClockSkw</c>), a section that is almost one of ours
/// (<c>Gps__ClockSkew</c>), a value that does not convert (enums listed by their allowed values), and a value out of
/// its range — each with its full key and the value as read.
/// </summary>
public static class IntegratorSettings
{
    /// <summary>Sections of the framework and the host, never taken for misspellings of ours.</summary>
    private static readonly HashSet<string> Foreign = new(StringComparer.OrdinalIgnoreCase)
    {
        "Logging", "Kestrel", "AllowedHosts", "ConnectionStrings", "hostBuilder", "OTEL", "ASPNETCORE", "DOTNET",
    };

    /// <returns>
    /// One line per problem; <paramref name="unconvertible"/> gets the sections with a value that does not convert (their
    /// options cannot be bound, so their own validation cannot run).
    /// </returns>
    public static IReadOnlyList<string> Problems(
        IConfiguration configuration, IReadOnlyList<(string Section, Type Options)> sections, out IReadOnlySet<string> unconvertible)
    {
        var problems = new List<string>();
        var broken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, type) in sections)
        {
            var before = problems.Count;
            Walk(configuration.GetSection(section), type, problems);
            if (problems.Skip(before).Any(p => p.Contains(", which is not ", StringComparison.Ordinal)))
            {
                broken.Add(section);
            }
        }

        var known = sections.Select(s => s.Section).ToList();
        foreach (var top in configuration.GetChildren().Where(c => c.Value is null && c.GetChildren().Any()))
        {
            if (known.Contains(top.Key, StringComparer.OrdinalIgnoreCase) || Foreign.Contains(top.Key))
            {
                continue;
            }

            var nearest = Nearest(top.Key, known);
            if (nearest is not null)
            {
                problems.Add($"{top.Key} is not a section of Integrator (did you mean {nearest}?): its settings ({string.Join(", ", Leaves(top).Take(3))}) are ignored.");
            }
        }

        unconvertible = broken;
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
                var nearest = Nearest(child.Key, properties.Keys);
                problems.Add($"{child.Path} is not a setting of Integrator{(nearest is null ? string.Empty : $" (did you mean {section.Path}:{nearest}?)")}.");
                continue;
            }

            var element = ElementType(property.PropertyType);
            if (element is not null)
            {
                foreach (var item in child.GetChildren())
                {
                    if (IsComplex(element))
                    {
                        Walk(item, element, problems);
                    }
                    else if (item.Value is { } value && Convert(item.Path, value, element, null) is { } problem)
                    {
                        problems.Add(problem);
                    }
                }
            }
            else if (IsComplex(property.PropertyType))
            {
                Walk(child, property.PropertyType, problems);
            }
            else if (child.Value is { Length: > 0 } value && Convert(child.Path, value, property.PropertyType, property.GetCustomAttribute<RangeAttribute>()) is { } problem)
            {
                problems.Add(problem);
            }
        }
    }

    /// <summary>Why <paramref name="value"/> does not convert to <paramref name="type"/> or lies outside its range; null if it is fine.</summary>
    private static string? Convert(string path, string value, Type type, RangeAttribute? range)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        object? converted;
        try
        {
            converted = target.IsEnum
                ? Enum.GetNames(target).FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase)) is { } name ? Enum.Parse(target, name) : null
                : TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            converted = null;
        }

        if (converted is null)
        {
            return $"{path} is '{value}', which is not {Expected(target)}.";
        }

        if (range is not null && !range.IsValid(converted))
        {
            return $"{path} is '{value}'; it must be between {Format(range.Minimum)} and {Format(range.Maximum)}.";
        }

        return null;
    }

    private static string Expected(Type type) => type switch
    {
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(TimeSpan) => "a time span such as 00:01:30 (hh:mm:ss) or 2.00:00:00 (days)",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(Uri) => "a URL",
        _ => $"a {type.Name}",
    };

    private static string Format(object value) => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?";

    private static IEnumerable<string> Leaves(IConfigurationSection section) =>
        section.Value is not null ? [section.Path] : section.GetChildren().SelectMany(Leaves);

    private static string? Nearest(string key, IEnumerable<string> candidates)
    {
        var upper = key.ToUpperInvariant();
        var nearest = candidates.MinBy(c => Distance(c.ToUpperInvariant(), upper));
        return nearest is not null && Distance(nearest.ToUpperInvariant(), upper) <= Math.Max(1, Math.Min(3, key.Length / 3)) ? nearest : null;
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element
        : null;

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(Uri) && !typeof(IEnumerable).IsAssignableFrom(type);

    /// <summary>Edit distance with transpositions (optimal string alignment), for the "did you mean" hint: Gps is one from Gsp.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
