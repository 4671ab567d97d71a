using System.Data;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// Times are stored as UTC epoch milliseconds on every engine; this reads such a column straight into a
/// <see cref="DateTimeOffset"/> (or nullable) member, so views need no row type to convert it, and writes a
/// DateTimeOffset parameter as such a number (<see cref="Database"/> removes Dapper's own mapping first).
/// </summary>
internal sealed class UnixMillisecondsHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
    {
        parameter.DbType = DbType.Int64;
        parameter.Value = value.ToUnixTimeMilliseconds();
    }

    public override DateTimeOffset Parse(object value) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
}
