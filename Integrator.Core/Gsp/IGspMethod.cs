using Google.Protobuf;
using Integrator.Core.Storage;

namespace Integrator.Core.Gsp;

/// <summary>
/// A Google method's effect: run inside the transaction that also claims its idempotency key and journals it, given
/// the request time. Returns the response (its header is stamped by the caller), the expected GSP error, or the
/// back-end command the response waits for.
/// </summary>
public interface IGspMethod<in TRequest, TResponse>
    where TRequest : class, IGspRequest
    where TResponse : class, IGspResponse, IMessage<TResponse>, new()
{
    Task<GspOutcome<TResponse>> ExecuteAsync(TRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct);
}
