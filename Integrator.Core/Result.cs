namespace Integrator.Core;

/// <summary>
/// The value of a step, or the expected refusal that stops it (a GSP error for Google, a support error for staff).
/// Faults are exceptions.
/// </summary>
public readonly record struct Result<T, TError>(T? Value, TError? Error)
    where T : class
    where TError : class
{
    public static implicit operator Result<T, TError>(T value) => new(value, null);

    public static implicit operator Result<T, TError>(TError error) => new(null, error);
}
