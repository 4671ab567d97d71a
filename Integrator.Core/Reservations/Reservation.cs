using Integrator.Core.Storage;

namespace Integrator.Core.Reservations;

/// <summary>Where a reservation is: RESERVED (a live hold), then CANCELLED, EXPIRED or CAPTURED, once.</summary>
public readonly record struct ReservationState : IWireValue<ReservationState>
{
    public static readonly ReservationState Reserved = new("RESERVED");
    public static readonly ReservationState Cancelled = new("CANCELLED");
    public static readonly ReservationState Expired = new("EXPIRED");
    public static readonly ReservationState Captured = new("CAPTURED");

    private ReservationState(string wire) => Wire = wire;

    public string Wire { get; }

    public static IReadOnlyList<ReservationState> All { get; } = [Reserved, Cancelled, Expired, Captured];

    /// <summary>Ended without a capture: its hold was released.</summary>
    public bool IsReleased => this == Cancelled || this == Expired;

    public override string ToString() => Wire;
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

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Our paymentIntegratorCaptureId: set once CAPTURED, or — still RESERVED — while its capture is on its way to a remote back end.</summary>
    public string? CaptureId { get; init; }

    public long? CapturedAmountMicros { get; init; }

    /// <summary>A capture is on its way to the back end: the reservation waits for its outcome (no release, no second capture).</summary>
    public bool IsCapturing => State == ReservationState.Reserved && CaptureId is not null;

    /// <summary>Expiry is judged at the moment of the request, never left to the sweeper's timing.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt <= now;

    /// <summary>
    /// The one decision of how a live reservation ends when its hold is released without a capture (Google's cancel,
    /// support's release, the sweeper): EXPIRED once past its expiry, else CANCELLED.
    /// </summary>
    public ReservationState ReleasedStateAt(DateTimeOffset now) => IsExpiredAt(now) ? ReservationState.Expired : ReservationState.Cancelled;
}

/// <summary>What caused a reservation's state change, as recorded in its history.</summary>
public static class TransitionCauses
{
    public const string ReserveFunds = "reserveFunds";
    public const string CaptureFunds = "captureFundsReservation";
    public const string CancelFunds = "cancelFundsReservation";
    public const string ExpirySweeper = "expirySweeper";
    public const string SupportRelease = "supportRelease";

    /// <summary>Why a hold is released, as a remote back end is told (the release's <c>reason</c>).</summary>
    public static string ReleaseReason(string cause) => cause switch
    {
        CancelFunds => "CANCELLED",
        ExpirySweeper => "EXPIRED",
        _ => "SUPPORT",
    };
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
