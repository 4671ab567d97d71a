namespace Integrator.Core.Storage;

/// <summary>
/// A state stored and sent by its wire name (<c>RESERVED</c>, <c>ON_HOLD</c>): a small value type with one instance per
/// state, compared by value. Dapper converts it both ways through one handler (<see cref="WireValueHandler{T}"/>), so
/// no code names a state's text but its own type. (Dapper never calls a type handler for an enum, which is why these
/// are not enums.)
/// </summary>
public interface IWireValue<TSelf>
    where TSelf : struct, IWireValue<TSelf>
{
    string Wire { get; }

    static abstract IReadOnlyList<TSelf> All { get; }
}

/// <summary>Finds a state by its wire name.</summary>
public static class WireValue
{
    public static T? Find<T>(string? wire)
        where T : struct, IWireValue<T>
    {
        foreach (var value in T.All)
        {
            if (value.Wire == wire)
            {
                return value;
            }
        }

        return null;
    }

    public static T Parse<T>(string wire)
        where T : struct, IWireValue<T> =>
        Find<T>(wire) ?? throw new FormatException($"'{wire}' is not a {typeof(T).Name} (one of {string.Join(", ", T.All.Select(v => v.Wire))}).");
}
