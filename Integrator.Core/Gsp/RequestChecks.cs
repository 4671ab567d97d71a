using System.Collections.Frozen;
using Integrator.Core.Gsp.V1;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Gsp;

/// <summary>
/// The checks of docs/gsp-rules.md §2 that follow decryption, signature and parsing, in their documented order:
/// API version, required fields, field values, timestamp skew, and whether we serve the paymentIntegratorAccountId.
/// </summary>
public sealed class RequestChecks(IOptions<GspOptions> options, TimeProvider time)
{
    private readonly FrozenSet<string> _accountIds = options.Value.PaymentIntegratorAccountIds.ToFrozenSet(StringComparer.Ordinal);
    private readonly TimeSpan _skew = options.Value.ClockSkew;

    /// <param name="maxAge">
    /// For a message that may have travelled a while (the redirect, through the customer's browser): how old its
    /// <c>requestTimestamp</c> may be instead of <c>Gsp:ClockSkew</c>; the future is still held to the skew.
    /// </param>
    public GspError? Check(IGspRequest request, TimeSpan? maxAge = null)
    {
        var header = request.RequestHeader;
        if (header?.ProtocolVersion is { HasMajor: true } version && version.Major != 1)
        {
            return GspError.InvalidApiVersion(version.Major);
        }

        if (header is null)
        {
            return GspError.MissingField("requestHeader");
        }

        var problem = FindMissingHeaderField(header) ?? request.FindMissingField()
            ?? FieldRules.RequestId(header.RequestId, "requestHeader.requestId") ?? request.FindInvalidField();
        if (problem is not null)
        {
            return problem;
        }

        // Compared as a window around now: the difference of two int64 values (the sender's may be long.MinValue) overflows.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var skew = (long)_skew.TotalMilliseconds;
        var oldest = (long)(maxAge ?? _skew).TotalMilliseconds;
        if (header.RequestTimestamp < now - oldest || header.RequestTimestamp > now + skew)
        {
            return GspError.TimestampOutOfRange(maxAge ?? _skew);
        }

        if (request.AccountId is { } accountId && !_accountIds.Contains(accountId))
        {
            return GspError.UnknownIdentifier("paymentIntegratorAccountId");
        }

        return null;
    }

    private static GspError? FindMissingHeaderField(RequestHeader header) =>
        header.ProtocolVersion is null ? GspError.MissingField("requestHeader.protocolVersion")
        : !header.ProtocolVersion.HasMajor ? GspError.MissingField("requestHeader.protocolVersion.major")
        : !header.HasRequestId ? GspError.MissingField("requestHeader.requestId")
        : !header.HasRequestTimestamp ? GspError.MissingField("requestHeader.requestTimestamp")
        : null;
}
