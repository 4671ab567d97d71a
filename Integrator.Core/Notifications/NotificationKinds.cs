namespace Integrator.Core.Notifications;

/// <summary>What an outbox row notifies Google of (its <c>kind</c> column).</summary>
public static class NotificationKinds
{
    /// <summary>cancelFundsReservationResultNotification, one per successful cancel request.</summary>
    public const string CancelResult = "CANCEL_RESULT";

    /// <summary>generatePaymentTokenRedirectCompleteNotification, one per finished redirect.</summary>
    public const string RedirectComplete = "REDIRECT_COMPLETE";
}
