using System.Globalization;

namespace Integrator.Core.Support;

/// <summary>
/// Where a support list continues: the creation time (UTC ticks) and id of the last row shown, "ticks.id". Opaque to
/// callers; a list reads it back only from what it handed out.
/// </summary>
public static class ListCursor
{
    public static string Of(DateTimeOffset createdAt, string id) => $"{createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{id}";

    /// <returns>False when <paramref name="cursor"/> is not one <see cref="Of"/> made.</returns>
    public static bool TryParse(string cursor, out DateTimeOffset createdAt, out string id)
    {
        (createdAt, id) = (DateTimeOffset.MinValue, string.Empty);
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        (createdAt, id) = (new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(dot + 1)..]);
        return true;
    }
}
