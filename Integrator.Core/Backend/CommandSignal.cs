namespace Integrator.Core.Backend;

/// <summary>Wakes the resolver when a command has been written (after its transaction commits): sent at once, not at the next poll.</summary>
public sealed class CommandSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <returns>Once woken or after <paramref name="timeout"/>.</returns>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}
