namespace Integrator.Core.Reservations;

public enum ReservationState
{
    Reserved,
    Cancelled,
    Expired,
    Captured,
}

/// <summary>A funds reservation made by reserveFunds; <see cref="ReservationId"/> is our paymentIntegratorTransactionId.</summary>
public sealed record Reservation(
    string ReservationId,
    string PaymentIntegratorAccountId,
    string ReserveRequestId,
    string AccountId,
    string CurrencyCode,
    long AmountMicros,
    ReservationState State,
    long CreatedAt,
    long ExpiresAt,
    long UpdatedAt,
    string? CaptureId,
    long? CapturedAmountMicros)
{
    /// <summary>Expiry is judged at the moment of the request, never left to the sweeper's timing.</summary>
    public bool IsExpiredAt(long nowMillis) => ExpiresAt <= nowMillis;
}

/// <summary>What caused a reservation's state change, as recorded in its history.</summary>
public static class TransitionCauses
{
    public const string ReserveFunds = "reserveFunds";
    public const string CaptureFunds = "captureFundsReservation";
    public const string CancelFunds = "cancelFundsReservation";
    public const string ExpirySweeper = "expirySweeper";
    public const string SupportRelease = "supportRelease";
}

public sealed class ReservationOptions
{
    public const string Section = "Reservations";

    /// <summary>A reservation expires this long after reserveFunds (GSP: "typically seven days").</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);
}
