namespace Integrator.Core.Gsp;

/// <summary>The value of a successful step, or the expected GSP error that stops it. Faults are exceptions.</summary>
public readonly record struct Outcome<T>(T? Value, GspError? Error)
    where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(GspError error) => new(null, error);
}
