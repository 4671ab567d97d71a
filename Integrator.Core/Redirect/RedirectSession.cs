using Integrator.Core.Gsp;

namespace Integrator.Core.Redirect;

/// <summary>
/// One redirect, by Google's redirectRequestId. <see cref="Result"/> is <c>pending</c> until the customer finishes,
/// then success or a decline (<see cref="RedirectResults"/>), once.
/// </summary>
public sealed record RedirectSession
{
    public required string RedirectRequestId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public long AmountMicros { get; init; }

    public required string CurrencyCode { get; init; }

    public string? Description { get; init; }

    public required string CallbackUrl { get; init; }

    public DateTimeOffset RequestTimestamp { get; init; }

    /// <summary>SHA-256 of the payload's googlePaymentToken, when it carried one.</summary>
    public string? OfferedTokenSha256 { get; init; }

    public required string Result { get; init; }

    public string? CustomerId { get; init; }

    public string? AccountId { get; init; }

    /// <summary>SHA-256 of the token bound to <see cref="AccountId"/> on success.</summary>
    public string? TokenSha256 { get; init; }

    /// <summary>Where the bound token came from: <c>googlePaymentToken</c> or <c>redirectRequestId</c>.</summary>
    public string? TokenSource { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>SHA-256 of <see cref="RedirectRequestId"/>: how support pages and URLs name the redirect (see db/*/0013).</summary>
    public string? RedirectSha256 { get; init; }

    /// <summary>SHA-256 of the random value in the cookie of the browser that first arrived with this redirect.</summary>
    public string? BrowserSha256 { get; init; }

    public bool IsFinished => Result != RedirectResults.Pending;
}
