using System.Globalization;

namespace Integrator.Core.Support;

/// <summary>An amount as support reads it: exact micros (a string, like GSP's int64), the decimal value, the currency.</summary>
public sealed record MoneyView(string Micros, string Value, string CurrencyCode)
{
    /// <summary>ISO 4217 currencies without minor units, and with three; the rest have two.</summary>
    private static readonly HashSet<string> NoMinorUnits =
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly HashSet<string> ThreeMinorUnits = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    public static MoneyView Of(long micros, string currencyCode)
    {
        var minorUnits = NoMinorUnits.Contains(currencyCode) ? 0 : ThreeMinorUnits.Contains(currencyCode) ? 3 : 2;
        var value = micros / 1_000_000m;
        // At least the currency's minor units; more only when the micros carry them.
        var text = value.ToString("F6", CultureInfo.InvariantCulture).TrimEnd('0');
        var decimals = text.Length - text.IndexOf('.', StringComparison.Ordinal) - 1;
        text = decimals < minorUnits ? value.ToString("F" + minorUnits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : text.TrimEnd('.');
        return new MoneyView(micros.ToString(CultureInfo.InvariantCulture), text, currencyCode);
    }
}
