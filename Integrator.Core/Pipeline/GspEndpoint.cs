using Google.Protobuf;
using Integrator.Core.Gsp;

namespace Integrator.Core.Pipeline;

/// <summary>One Google-facing method: its name in routes, journals and idempotency records, and how it runs.</summary>
public interface IGspEndpoint
{
    string Name { get; }

    Task<GspReply> HandleAsync(GspGateway gateway, ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct);
}

/// <summary>
/// A method run at most once per idempotency key by its <see cref="IGspMethod{TRequest, TResponse}"/>. Its name is the
/// request message's (<c>ReserveFundsRequest</c> → <c>reserveFunds</c>), as in Google's API.
/// </summary>
internal sealed class GspEndpoint<TRequest, TResponse>(IGspMethod<TRequest, TResponse> method) : IGspEndpoint
    where TRequest : class, IGspRequest, IMessage<TRequest>, new()
    where TResponse : class, IGspResponse, IMessage<TResponse>, new()
{
    public string Name { get; } = NameOf(typeof(TRequest));

    public Task<GspReply> HandleAsync(GspGateway gateway, ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        gateway.ExecuteAsync(Name, body, contentType, method, ct);

    internal static string NameOf(Type request) => $"{char.ToLowerInvariant(request.Name[0])}{request.Name[1..^"Request".Length]}";
}

/// <summary>echo: answered at once, never journaled unless refused, nothing stored.</summary>
internal sealed class EchoEndpoint : IGspEndpoint
{
    public string Name => GspMethods.Echo;

    public Task<GspReply> HandleAsync(GspGateway gateway, ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        gateway.EchoAsync(body, contentType, ct);
}
