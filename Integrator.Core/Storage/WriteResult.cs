namespace Integrator.Core.Storage;

/// <summary>What a write returns, and whether its changes are kept.</summary>
public readonly record struct WriteResult<T>(T Value, bool Commit);

public static class Write
{
    /// <summary>Keep the changes; the caller gets <paramref name="value"/> once they are durable.</summary>
    public static WriteResult<T> Commit<T>(T value) => new(value, true);

    /// <summary>Undo the changes (an expected refusal); the caller gets <paramref name="value"/> at once.</summary>
    public static WriteResult<T> RollBack<T>(T value) => new(value, false);
}
