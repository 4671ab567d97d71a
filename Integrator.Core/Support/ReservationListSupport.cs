using Integrator.Core.Reservations;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

/// <summary>What a reservations list is narrowed to; every part optional. Amounts are decimal (in the reservation's currency).</summary>
public sealed record ReservationFilter
{
    public string? State { get; init; }

    public string? PaymentIntegratorAccountId { get; init; }

    public string? AccountId { get; init; }

    public string? CustomerId { get; init; }

    public decimal? MinAmount { get; init; }

    public decimal? MaxAmount { get; init; }

    /// <summary>Made at or after this moment.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Made before this moment.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>One reservation in a list: whose, how much, in what state, since when.</summary>
public sealed record ReservationListItem
{
    public required string PaymentIntegratorAccountId { get; init; }

    public required string ReserveFundsRequestId { get; init; }

    public required string AccountId { get; init; }

    public string? CustomerId { get; init; }

    public string? CustomerName { get; init; }

    public required long AmountMicros { get; init; }

    public required string CurrencyCode { get; init; }

    public required ReservationState State { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Ours: the paymentIntegratorTransactionId.</summary>
    public required string ReservationId { get; init; }

    public MoneyView Amount => MoneyView.Of(AmountMicros, CurrencyCode);
}

/// <summary>A page of a reservations list, newest first; <see cref="Next"/> continues it.</summary>
public sealed record ReservationListPage(IReadOnlyList<ReservationListItem> Items, string? Next);

/// <summary>
/// Reservations as a support desk looks for them, starting from the customer: by state, PIAID, account, customer
/// (the account's holder), amount range and date range, newest first, paged on the server by a cursor (never an
/// offset, never everything at once).
/// </summary>
public sealed class ReservationListSupport(Database database)
{
    public const int MaxPageSize = 500;

    private const string List = """
        SELECT r.reservation_id, r.payment_integrator_account_id, r.reserve_request_id AS reserve_funds_request_id, r.account_id,
               ca.customer_id, c.name AS customer_name, r.amount_micros, r.currency_code, r.state, r.created_at, r.expires_at
        FROM reservations r
        LEFT JOIN customer_accounts ca ON ca.account_id = r.account_id
        LEFT JOIN customers c ON c.customer_id = ca.customer_id
        WHERE (@State IS NULL OR r.state = @State)
          AND (@Piaid IS NULL OR r.payment_integrator_account_id = @Piaid)
          AND (@AccountId IS NULL OR r.account_id = @AccountId)
          AND (@CustomerId IS NULL OR ca.customer_id = @CustomerId)
          AND r.amount_micros >= @MinMicros AND r.amount_micros <= @MaxMicros
          AND r.created_at >= @From AND r.created_at < @Until
          AND (r.created_at < @BeforeCreatedAt OR (r.created_at = @BeforeCreatedAt AND r.reservation_id < @BeforeId))
        ORDER BY r.created_at DESC, r.reservation_id DESC
        """;

    public async Task<Result<ReservationListPage, SupportError>> ListAsync(ReservationFilter filter, int limit, string? after, CancellationToken ct)
    {
        if (filter.State is { } state && WireValue.Find<ReservationState>(state) is null)
        {
            return SupportError.Invalid($"state must be one of {string.Join(", ", ReservationState.All.Select(s => s.Wire))}.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return SupportError.Invalid($"limit must be between 1 and {MaxPageSize}.");
        }

        if (filter is { MinAmount: < 0 } or { MaxAmount: < 0 } || filter.MinAmount > filter.MaxAmount
            || filter.MinAmount > long.MaxValue / 1_000_000m || filter.MaxAmount > long.MaxValue / 1_000_000m)
        {
            return SupportError.Invalid("The amounts must be positive, the smallest first.");
        }

        if (filter.From >= filter.Until)
        {
            return SupportError.Invalid("The start date must come before the end date.");
        }

        // No cursor: from the newest. A cursor: strictly older than the row it names.
        var (beforeCreatedAt, beforeId) = (DateTimeOffset.MaxValue, string.Empty);
        if (!string.IsNullOrEmpty(after) && !(ListCursor.TryParse(after, out beforeCreatedAt, out beforeId) && beforeId.Length is > 0 and <= 100))
        {
            return SupportError.Invalid("after is not a cursor this list returned.");
        }

        var rows = await database.QueryAsync<ReservationListItem>(
            $"{List} {database.Dialect.Limit("@Take")}",
            new
            {
                State = filter.State,
                Piaid = FilterText.OrNull(filter.PaymentIntegratorAccountId),
                AccountId = FilterText.OrNull(filter.AccountId),
                CustomerId = FilterText.OrNull(filter.CustomerId),
                MinMicros = filter.MinAmount is { } min ? (long)Math.Ceiling(min * 1_000_000m) : 0L,
                MaxMicros = filter.MaxAmount is { } max ? (long)Math.Floor(max * 1_000_000m) : long.MaxValue,
                From = filter.From ?? DateTimeOffset.UnixEpoch,
                Until = filter.Until ?? DateTimeOffset.MaxValue,
                BeforeCreatedAt = beforeCreatedAt,
                BeforeId = beforeId,
                Take = limit + 1,
            },
            ct);
        var page = rows.Take(limit).ToList();
        return new ReservationListPage(page, rows.Count > limit ? ListCursor.Of(page[^1].CreatedAt, page[^1].ReservationId) : null);
    }
}
