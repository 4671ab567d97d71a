using System.Data;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>Where Dapper meets a <see cref="IWireValue{TSelf}"/>: its wire name in the column, the value in the code.</summary>
internal sealed class WireValueHandler<T> : SqlMapper.TypeHandler<T>
    where T : struct, IWireValue<T>
{
    public override void SetValue(IDbDataParameter parameter, T value)
    {
        parameter.DbType = DbType.String;
        parameter.Value = value.Wire;
    }

    public override T Parse(object value) => WireValue.Parse<T>((string)value);
}
