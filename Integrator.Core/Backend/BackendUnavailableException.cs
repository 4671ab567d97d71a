namespace Integrator.Core.Backend;

/// <summary>
/// A read from a remote back end (an account, a customer's accounts) got no usable answer: the redirect page and the
/// console say so instead of showing stale or made-up balances. Money movements never throw it (they are commands).
/// </summary>
public sealed class BackendUnavailableException : Exception
{
    public BackendUnavailableException()
    {
    }

    public BackendUnavailableException(string message)
        : base(message)
    {
    }

    public BackendUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
