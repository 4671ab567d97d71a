namespace Integrator.Core.Gsp;

/// <summary>The names of the Google methods, as they appear in routes, journals and idempotency records.</summary>
public static class GspMethods
{
    public const string Echo = "echo";
    public const string ReserveFunds = "reserveFunds";
    public const string CaptureFundsReservation = "captureFundsReservation";
    public const string CancelFundsReservation = "cancelFundsReservation";
    public const string Refund = "refund";
    public const string RemittanceStatementNotification = "remittanceStatementNotification";
    public const string GetGeneratePaymentTokenRedirectStatus = "getGeneratePaymentTokenRedirectStatus";

    // Ours to Google.
    public const string RemittanceStatementDetails = "remittanceStatementDetails";
    public const string AcceptRemittanceStatement = "acceptRemittanceStatement";
    public const string GeneratePaymentTokenRedirectCompleteNotification = "generatePaymentTokenRedirectCompleteNotification";
}
