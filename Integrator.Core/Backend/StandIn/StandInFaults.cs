namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// The faults a stand-in plays (<see cref="StandInFault"/>), armed on request and taken call by call: the first armed
/// fault that matches a call's operation is played on it, and counts down.
/// </summary>
public sealed class StandInFaults(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<StandInFault> _armed = [];

    /// <summary>How many calls a fault was played on.</summary>
    public int Played { get; private set; }

    public IReadOnlyList<StandInFault> Armed
    {
        get
        {
            lock (_lock)
            {
                return [.. _armed];
            }
        }
    }

    public void Arm(StandInFault fault)
    {
        lock (_lock)
        {
            _armed.Add(fault);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _armed.Clear();
        }
    }

    /// <summary>The fault to play on a call of <paramref name="operation"/>, if one is armed; "pending" only on a release or a hold.</summary>
    public StandInFault? Take(string operation)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _armed.RemoveAll(f => f.Until <= now);
            var index = _armed.FindIndex(f => f.Matches(operation) && (f.Kind != StandInFault.Pending || operation is "release" or "hold"));
            if (index < 0)
            {
                return null;
            }

            var fault = _armed[index];
            Played++;
            if (fault.Count == 1)
            {
                _armed.RemoveAt(index);
            }
            else if (fault.Count > 1)
            {
                _armed[index] = fault with { Count = fault.Count - 1 };
            }

            return fault;
        }
    }
}
