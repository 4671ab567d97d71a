using System.Globalization;
using System.Text;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// CSV as RFC 4180 writes it, safe to open in a spreadsheet: a field with a comma, quote or line break is quoted, and
/// one that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is prefixed with a quote mark
/// (OWASP "CSV injection").
/// </summary>
public static class Csv
{
    public static void Row(StringBuilder csv, params string?[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            csv.Append(Field(fields[i]));
        }

        csv.Append("\r\n");
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
