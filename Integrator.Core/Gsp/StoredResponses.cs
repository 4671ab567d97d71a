using Google.Protobuf.Reflection;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp;

/// <summary>
/// A stored 200 body as a retry gets it now (docs/gsp-rules.md §3): every byte as first answered except a fresh
/// responseTimestamp. Used by the idempotent executor and by support's replay alike. A method's response message is
/// found by the proto's own naming (<c>reserveFunds</c> → <c>ReserveFundsResponse</c>), so no list needs keeping.
/// </summary>
public static class StoredResponses
{
    public static string Refreshed(string method, string storedBody, DateTimeOffset now)
    {
        var descriptor = ResponseOf(method) ?? throw new InvalidOperationException($"No response message for method {method}.");
        var response = (IGspResponse)GspJson.ParseTrusted(storedBody, descriptor);
        response.ResponseHeader = ResponseHeader.At(now);
        return GspJson.Format(response);
    }

    private static MessageDescriptor? ResponseOf(string method) =>
        method.Length == 0 ? null : GspV1Reflection.Descriptor.MessageTypes.FirstOrDefault(m => m.Name == $"{char.ToUpperInvariant(method[0])}{method[1..]}Response");
}
