using System.Globalization;
using System.Text;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// Reservations as a support desk looks for them (by customer, account, state, PIAID, amount and date range), newest
/// first and paged on the server, and the same list as CSV. Dates are whole UTC days, the end day included.
/// </summary>
public sealed class ReservationsModel(ReservationListSupport reservations, SupportAudit audit) : PageModel
{
    /// <summary>The most rows one export holds; a larger list is cut there, and the file says so in its last line.</summary>
    public const int MaxExportRows = 10_000;

    private const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Piaid { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Account { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Customer { get; set; }

    [BindProperty(SupportsGet = true)]
    public decimal? MinAmount { get; set; }

    [BindProperty(SupportsGet = true)]
    public decimal? MaxAmount { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? Until { get; set; }

    public ReservationListPage? Rows { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>The filters as a query string (for the next page and the export).</summary>
    public string FilterQuery => QueryString.Create(new Dictionary<string, string?>
    {
        ["state"] = State, ["piaid"] = Piaid, ["account"] = Account, ["customer"] = Customer,
        ["minAmount"] = MinAmount?.ToString(CultureInfo.InvariantCulture), ["maxAmount"] = MaxAmount?.ToString(CultureInfo.InvariantCulture),
        ["from"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["until"] = Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToString();

    public async Task OnGetAsync(string? after, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Refuse("A filter is not a number or a date; check the amounts and dates.");
            return;
        }

        var page = await reservations.ListAsync(Filter(), PageSize, after, ct);
        if (page.Error is { } error)
        {
            Refuse(error.Detail);
            return;
        }

        Rows = page.Value;
    }

    /// <summary>The list as CSV (RFC 4180, UTF-8), every page up to <see cref="MaxExportRows"/>; audited as a read of customer data.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest("A filter is not a number or a date.");
        }

        var csv = new StringBuilder("reserveFundsRequestId,paymentIntegratorTransactionId,paymentIntegratorAccountId,accountId,customerId,customerName,amount,currency,state,createdAt,expiresAt\r\n");
        var rows = 0;
        string? after = null;
        do
        {
            var page = await reservations.ListAsync(Filter(), ReservationListSupport.MaxPageSize, after, ct);
            if (page.Error is { } error)
            {
                return BadRequest(error.Detail);
            }

            foreach (var r in page.Value!.Items.Take(MaxExportRows - rows))
            {
                Csv.Row(csv, r.ReserveFundsRequestId, r.ReservationId, r.PaymentIntegratorAccountId, r.AccountId, r.CustomerId, r.CustomerName,
                    r.Amount.Value, r.CurrencyCode, r.State.Wire, Csv.Time(r.CreatedAt), Csv.Time(r.ExpiresAt));
                rows++;
            }

            after = page.Value.Next;
        }
        while (after is not null && rows < MaxExportRows);

        if (after is not null)
        {
            csv.Append(CultureInfo.InvariantCulture, $"# cut at {MaxExportRows} rows: narrow the filters\r\n");
        }

        await audit.RecordAsync(new SupportAudit.Entry(ConsoleAuth.Actor(User), "export reservations", "reservations", null, $"{rows} rows", new { Filter = FilterQuery }), ct);
        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"reservations-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv");
    }

    private ReservationFilter Filter() => new()
    {
        State = string.IsNullOrEmpty(State) ? null : State,
        PaymentIntegratorAccountId = Piaid,
        AccountId = Account,
        CustomerId = Customer,
        MinAmount = MinAmount,
        MaxAmount = MaxAmount,
        From = From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
        Until = Until is { } until ? new DateTimeOffset(until.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
    };

    private void Refuse(string detail)
    {
        Errors = [detail];
        Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
