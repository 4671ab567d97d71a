using Google.Protobuf;
using Integrator.Core.Storage;

namespace Integrator.Core.Gsp;

/// <summary>
/// A Google method's effect: run inside the transaction that also claims its idempotency key and journals it, given
/// the request time. Returns the response (its header is stamped by the caller) or the expected GSP error.
/// </summary>
public interface IGspMethod<in TRequest, TResponse>
    where TRequest : class, IGspRequest
    where TResponse : class, IGspResponse, IMessage<TResponse>, new()
{
    Task<Result<TResponse, GspError>> ExecuteAsync(TRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct);
}
