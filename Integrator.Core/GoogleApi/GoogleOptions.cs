using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.GoogleApi;

/// <summary>Where Google's endpoints for our calls (notifications, remittance) are.</summary>
public sealed class GoogleOptions
{
    public const string Section = "Google";

    /// <summary>e.g. <c>https://vgw.googleapis.com/gsp</c> (production) or <c>https://vgw.sandbox.google.com/gsp</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Appended to <see cref="BaseUrl"/>, then <c>/{paymentIntegratorAccountId}</c>. Configurable because Google documents
    /// this call under other API families' paths.
    /// </summary>
    [Required]
    public string CancelNotificationPath { get; set; } = "/redirect-payment-token-v1/cancelFundsReservationResultNotification";

    /// <summary>Appended to <see cref="BaseUrl"/>, then <c>/{paymentIntegratorAccountId}</c> (docs/gsp-rules.md §8).</summary>
    [Required]
    public string RedirectCompleteNotificationPath { get; set; } = "/redirect-payment-token-v1/generatePaymentTokenRedirectCompleteNotification";

    /// <summary>
    /// Appended to <see cref="BaseUrl"/>, then <c>/{method}/{paymentIntegratorAccountId}</c>, for the remittance calls
    /// (remittanceStatementDetails, acceptRemittanceStatement).
    /// </summary>
    [Required]
    public string RemittancePath { get; set; } = "/redirect-payment-token-v1";

    /// <summary>
    /// Development only: while no <see cref="BaseUrl"/> is set and messages are plaintext, notifications are answered
    /// in-process by the Development stand-in (DevGoogle/GoogleStandIn.cs).
    /// </summary>
    public bool StandIn { get; set; }
}
