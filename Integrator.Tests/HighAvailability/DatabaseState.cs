using Dapper;
using Npgsql;

namespace Integrator.Tests.HighAvailability;

/// <summary>What the database holds after the faults, read from the new primary: the facts the checker judges the history by.</summary>
public sealed record DatabaseState
{
    /// <summary>requestId → the stored 200 body ("" while the claim waits).</summary>
    public Dictionary<string, string> Answers { get; init; } = [];

    /// <summary>reserveFunds requestId → the reservation.</summary>
    public Dictionary<string, ReservationRow> Reservations { get; init; } = [];

    /// <summary>Every capture row (a reservation captured twice would show twice).</summary>
    public List<CaptureRow> Captures { get; init; } = [];

    public List<RefundRow> Refunds { get; init; } = [];

    /// <summary>The cancel requestIds that have a notification row.</summary>
    public List<string> NotifiedCancels { get; init; } = [];

    /// <summary>Accounts whose held or captured money differs from their reservations (the ledger's own invariant).</summary>
    public List<string> UnbalancedAccounts { get; init; } = [];

    public sealed record ReservationRow(string ReservationId, string ReserveRequestId, long AmountMicros, string State);

    public sealed record CaptureRow(string CaptureId, string CaptureRequestId, string ReservationId, long AmountMicros, long RefundedMicros);

    public sealed record RefundRow(string RefundId, string RefundRequestId, string CaptureId, long AmountMicros);

    public static async Task<DatabaseState> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return new DatabaseState
        {
            Answers = (await connection.QueryAsync<(string RequestId, string Body)>("SELECT request_id, response_body FROM idempotency_records"))
                .ToDictionary(r => r.RequestId, r => r.Body),
            Reservations = (await connection.QueryAsync<ReservationRow>(
                    "SELECT reservation_id, reserve_request_id, amount_micros, state FROM reservations"))
                .ToDictionary(r => r.ReserveRequestId),
            Captures = [.. await connection.QueryAsync<CaptureRow>(
                "SELECT capture_id, capture_request_id, reservation_id, amount_micros, refunded_micros FROM captures")],
            Refunds = [.. await connection.QueryAsync<RefundRow>("SELECT refund_id, refund_request_id, capture_id, amount_micros FROM refunds")],
            NotifiedCancels = [.. await connection.QueryAsync<string>("SELECT cancel_request_id FROM outbox WHERE kind = 'CANCEL_RESULT'")],
            UnbalancedAccounts = [.. await connection.QueryAsync<string>("""
                SELECT a.account_id FROM accounts a
                WHERE a.held_micros <> (SELECT COALESCE(SUM(r.amount_micros), 0) FROM reservations r WHERE r.account_id = a.account_id AND r.state = 'RESERVED')
                   OR a.captured_micros <> (SELECT COALESCE(SUM(c.amount_micros - c.refunded_micros), 0) FROM captures c WHERE c.account_id = a.account_id)
                """)],
        };
    }
}
