using Integrator.Core.Storage;

namespace Integrator.Core.Support;

/// <summary>One thing an id names: what it is, and the reservation it belongs to, if any.</summary>
public sealed record SearchHit
{
    public required string Kind { get; init; }

    public required string Id { get; init; }

    public string? PaymentIntegratorAccountId { get; init; }

    /// <summary>Google's id of it (a requestId, a statementId), where it has one.</summary>
    public string? GoogleId { get; init; }

    /// <summary>The reserveFundsRequestId of the reservation the hit belongs to, if any.</summary>
    public string? ReserveFundsRequestId { get; init; }

    /// <summary>What it is called, where it has a name (a customer's).</summary>
    public string? Label { get; init; }
}

/// <summary>
/// Finds whatever an id names, whichever id support was given: a reservation (Google's reserveFundsRequestId or our
/// paymentIntegratorTransactionId), a capture or refund (Google's requestId or ours), any Google request or error
/// identifier, a notification, a remittance statement — or, as a support desk starts, an account id, a customer id
/// or part of a customer's name.
/// </summary>
public sealed class SearchSupport(Database database)
{
    public const int MaxHits = 50;

    private const string Search = """
        SELECT 'reservation' AS kind, reservation_id AS id, reserve_request_id AS google_id, payment_integrator_account_id,
               reserve_request_id AS reserve_funds_request_id, NULL AS label
        FROM reservations WHERE reserve_request_id = @Id OR reservation_id = @Id
        UNION ALL
        SELECT 'capture', c.capture_id, c.capture_request_id, c.payment_integrator_account_id, r.reserve_request_id, NULL
        FROM captures c JOIN reservations r ON r.reservation_id = c.reservation_id WHERE c.capture_request_id = @Id OR c.capture_id = @Id
        UNION ALL
        SELECT 'refund', f.refund_id, f.refund_request_id, f.payment_integrator_account_id, r.reserve_request_id, NULL
        FROM refunds f JOIN captures c ON c.capture_id = f.capture_id JOIN reservations r ON r.reservation_id = c.reservation_id
        WHERE f.refund_request_id = @Id OR f.refund_id = @Id
        UNION ALL
        SELECT 'request', call_id, request_id, payment_integrator_account_id, reserve_funds_request_id, NULL
        FROM request_journal WHERE request_id = @Id OR call_id = @Id
        UNION ALL
        SELECT 'notification', n.notification_id, COALESCE(n.cancel_request_id, n.redirect_request_id), n.payment_integrator_account_id,
               r.reserve_request_id, NULL
        FROM outbox n LEFT JOIN reservations r ON r.reservation_id = n.reservation_id
        WHERE n.notification_id = @Id OR n.cancel_request_id = @Id OR n.redirect_request_id = @Id
        UNION ALL
        SELECT 'redirect', redirect_request_id, redirect_request_id, payment_integrator_account_id, NULL, NULL
        FROM redirect_sessions WHERE redirect_request_id = @Id
        UNION ALL
        SELECT 'statement', statement_row_id, statement_id, payment_integrator_account_id, NULL, NULL
        FROM remittance_statements WHERE statement_id = @Id OR statement_row_id = @Id
        UNION ALL
        SELECT 'account', account_id, NULL, NULL, NULL, NULL FROM accounts WHERE account_id = @Id
        UNION ALL
        SELECT 'customer', customer_id, NULL, NULL, NULL, name FROM customers
        WHERE customer_id = @Id OR (@NamePattern IS NOT NULL AND LOWER(name) LIKE @NamePattern ESCAPE '!')
        """;

    public async Task<Result<IReadOnlyList<SearchHit>, SupportError>> FindAsync(string? id, CancellationToken ct)
    {
        id = id?.Trim();
        if (string.IsNullOrEmpty(id) || id.Length > 200)
        {
            return SupportError.Invalid("Enter an id of at most 200 characters.");
        }

        // A name matches from two characters on, anywhere in it, whatever the case; % and _ are themselves.
        var pattern = id.Length < 2 ? null : LikePattern.Contains(id);
        var hits = await database.QueryAsync<SearchHit>(Search, new { Id = id, NamePattern = pattern }, ct);
        return hits.Take(MaxHits).ToList();
    }
}
