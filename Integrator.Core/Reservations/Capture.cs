namespace Integrator.Core.Reservations;

/// <summary>
/// A successful captureFundsReservation. <see cref="CaptureRequestId"/> is Google's requestId of it, which refunds
/// name; <see cref="CaptureId"/> is our paymentIntegratorCaptureId.
/// </summary>
public sealed record Capture
{
    public required string CaptureId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public required string CaptureRequestId { get; init; }

    public required string ReservationId { get; init; }

    public required string AccountId { get; init; }

    public required string CurrencyCode { get; init; }

    public long AmountMicros { get; init; }

    /// <summary>The sum of its successful refunds.</summary>
    public long RefundedMicros { get; init; }

    public DateTimeOffset CapturedAt { get; init; }

    public long RefundableMicros => AmountMicros - RefundedMicros;
}
