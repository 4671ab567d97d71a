using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;

namespace Integrator.Core.Journal;

/// <summary>The request as the journal keeps it: payment tokens replaced by a short hash support can match.</summary>
public static class RequestMasking
{
    public static string ForJournal(IGspRequest request)
    {
        if (request is ReserveFundsRequest { HasGooglePaymentToken: true } reserve)
        {
            var masked = reserve.Clone();
            masked.GooglePaymentToken = MaskToken(reserve.GooglePaymentToken);
            return GspJson.Format(masked);
        }

        return GspJson.Format(request);
    }

    /// <summary>"sha256:" and the first 12 hex digits of the token's hash (the payment_tokens key).</summary>
    public static string MaskToken(string token) => "sha256:" + SqlLedger.TokenHash(token)[..12];
}
