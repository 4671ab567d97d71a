using Integrator.Core.Reservations;
using Integrator.Core.Storage;

namespace Integrator.Core.Refunds;

/// <summary>A successful refund of a capture; <see cref="RefundId"/> is our paymentIntegratorRefundId.</summary>
public sealed record Refund
{
    public required string RefundId { get; init; }

    public required string PaymentIntegratorAccountId { get; init; }

    public required string RefundRequestId { get; init; }

    public required string CaptureId { get; init; }

    public long AmountMicros { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Refund rows, and the compare-and-set that takes a refund's amount from what its capture has left.</summary>
public sealed class RefundStore(Database database)
{
    private const string Columns = "refund_id, payment_integrator_account_id, refund_request_id, capture_id, amount_micros, created_at";

    private const string FindCapture = $"""
        SELECT {ReservationStore.CaptureColumns} FROM captures
        WHERE payment_integrator_account_id = @AccountId AND capture_request_id = @CaptureRequestId
        """;

    // The remaining-amount check and the deduction are one statement: two partial refunds that race are serialised
    // on the capture's row, and the second sees what the first left.
    private const string TakeRefundable = """
        UPDATE captures SET refunded_micros = refunded_micros + @Amount
        WHERE capture_id = @CaptureId AND amount_micros - refunded_micros >= @Amount
        """;

    // A remote refund the back end did not make returns what it took.
    private const string GiveBack = """
        UPDATE captures SET refunded_micros = refunded_micros - @Amount
        WHERE capture_id = @CaptureId AND refunded_micros >= @Amount
        """;

    private const string Insert = $"""
        INSERT INTO refunds ({Columns})
        VALUES (@RefundId, @PaymentIntegratorAccountId, @RefundRequestId, @CaptureId, @AmountMicros, @CreatedAt)
        """;

    private const string OfCapture = $"SELECT {Columns} FROM refunds WHERE capture_id = @CaptureId ORDER BY created_at, refund_id";

    /// <summary>The successful capture Google's captureRequestId names, or null.</summary>
    public Task<Capture?> FindCaptureAsync(DbTx tx, string accountId, string captureRequestId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<Capture>(FindCapture, new { AccountId = accountId, CaptureRequestId = captureRequestId }, ct);

    /// <summary>Takes <paramref name="amountMicros"/> from what the capture has left; false if it has not that much left.</summary>
    public async Task<bool> TryTakeAsync(DbTx tx, string captureId, long amountMicros, CancellationToken ct) =>
        await tx.ExecuteAsync(TakeRefundable, new { CaptureId = captureId, Amount = amountMicros }, ct) == 1;

    /// <summary>Returns to the capture what a refund took and the back end did not refund.</summary>
    public Task GiveBackAsync(DbTx tx, string captureId, long amountMicros, CancellationToken ct) =>
        tx.ExecuteAsync(GiveBack, new { CaptureId = captureId, Amount = amountMicros }, ct);

    public Task InsertAsync(DbTx tx, Refund refund, CancellationToken ct) => tx.ExecuteAsync(Insert, refund, ct);

    public Task<IReadOnlyList<Refund>> ListAsync(string captureId, CancellationToken ct) =>
        database.QueryAsync<Refund>(OfCapture, new { CaptureId = captureId }, ct);
}
