using System.Globalization;
using Integrator.Core.Gsp;

namespace Integrator.Core.Backend.Mollie;

/// <summary>
/// Micros and Mollie's amounts: a decimal string with exactly the currency's minor units ("10.00" for USD, "1000" for
/// JPY). An amount with a fraction of the smallest unit has no Mollie value: it is refused, never rounded.
/// </summary>
public static class MollieAmount
{
    /// <returns>Mollie's <c>value</c>, or null if <paramref name="micros"/> is not a whole number of the smallest unit.</returns>
    public static string? Value(long micros, string currencyCode)
    {
        var decimals = Currencies.MinorUnits(currencyCode);
        var unit = (long)Math.Pow(10, 6 - decimals);
        if (micros <= 0 || micros % unit != 0)
        {
            return null;
        }

        var units = micros / unit;
        return decimals == 0
            ? units.ToString(CultureInfo.InvariantCulture)
            : (units / (decimal)Math.Pow(10, decimals)).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <returns>The micros of Mollie's <c>value</c>, or null if it is not one in this currency.</returns>
    public static long? Micros(string value, string currencyCode)
    {
        var decimals = Currencies.MinorUnits(currencyCode);
        var parts = value.Split('.');
        var valid = parts[0].Length is > 0 and <= 15 && parts[0].All(char.IsAsciiDigit)
            && (decimals == 0 ? parts.Length == 1 : parts.Length == 2 && parts[1].Length == decimals && parts[1].All(char.IsAsciiDigit));
        return valid ? (long)(decimal.Parse(value, CultureInfo.InvariantCulture) * 1_000_000m) : null;
    }
}
