using Integrator.Core.Ledger;

namespace Integrator.Core.Redirect;

/// <summary>
/// How support pages and URLs name a redirect: the SHA-256 of its redirectRequestId, which without a
/// googlePaymentToken is the payment token itself and must not reach access logs.
/// </summary>
public static class RedirectReference
{
    public static string Of(string redirectRequestId) => SqlLedger.TokenHash(redirectRequestId);
}
