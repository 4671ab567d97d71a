namespace Integrator.Core.Storage;

/// <summary>The in-process wait for a storage write slot ran out, or the write queue is full.</summary>
public sealed class StorageBusyException(string message) : Exception(message);
