namespace Integrator.Core.Storage;

/// <summary>
/// The engine reported a commit it kept only locally (PostgreSQL: "canceling wait for synchronous replication … The
/// transaction has already committed locally, but might not have been replicated to the standby"). A failover may lose
/// it, so its outcome is unknown: nothing is answered from it (503), and a retry finds either all of it or none.
/// </summary>
public sealed class CommitNotDurableException : Exception
{
    public CommitNotDurableException()
    {
    }

    public CommitNotDurableException(string message)
        : base(message)
    {
    }

    public CommitNotDurableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
