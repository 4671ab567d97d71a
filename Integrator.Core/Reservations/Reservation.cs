namespace Integrator.Core.Reservations;

public enum ReservationState
{
    Reserved,
    Cancelled,
    Expired,
    Captured,
}

/// <summary>A funds reservation made by reserveFunds; <see cref="ReservationId"/> is our paymentIntegratorTransactionId.</summary>
public sealed record Reservation
{
    public required string ReservationId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public required string ReserveRequestId { get; init; }

    public required string AccountId { get; init; }

    public required string CurrencyCode { get; init; }

    public long AmountMicros { get; init; }

    public ReservationState State { get; init; }

    public long CreatedAt { get; init; }

    public long ExpiresAt { get; init; }

    public long UpdatedAt { get; init; }

    public string? CaptureId { get; init; }

    public long? CapturedAmountMicros { get; init; }

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

    /// <summary>How often the expiry sweeper looks for reservations past their expiry.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reservations expired per transaction.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 200;
}
