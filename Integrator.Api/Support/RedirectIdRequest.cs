namespace Integrator.Api.Support;

/// <summary>
/// A redirectRequestId to look up; in the body, because without a googlePaymentToken it is the payment token itself,
/// and URLs end up in access logs.
/// </summary>
public sealed record RedirectIdRequest(string? RedirectRequestId)
{
    /// <summary>Never the id: MVC writes action arguments to the trace log.</summary>
    public override string ToString() => $"{nameof(RedirectIdRequest)} {{ RedirectRequestId = *** }}";
}
