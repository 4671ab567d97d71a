using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;

namespace Integrator.Core.Idempotency;

/// <summary>
/// What makes two requests "the same" for idempotency: SHA-256 of the method name and the canonical decrypted request
/// (Google.Protobuf's deterministic JSON, unknown fields dropped) without requestTimestamp, which changes on every retry.
/// </summary>
public static class Fingerprint
{
    public static string Of<TRequest>(string method, TRequest request)
        where TRequest : IGspRequest, IMessage<TRequest>
    {
        var canonical = request.Clone();
        canonical.RequestHeader?.ClearRequestTimestamp();
        var bytes = Encoding.UTF8.GetBytes(method + "\n" + GspJson.Format(canonical));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
