using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using AcceptResult = Integrator.Core.Gsp.V1.AcceptRemittanceStatementResponse.Types.AcceptRemittanceStatementResultCode;
using ResponseResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode;

namespace Integrator.Core.DevGoogle;

/// <summary>
/// <c>Google:StandIn</c> (Development only, plaintext only): answers our calls to Google in its place, inside this
/// process, and keeps the last calls for <c>GET /dev/google</c>. Notifications get 200 with <c>result: SUCCESS</c>;
/// remittanceStatementDetails lists, as Google would, the captures and refunds this database holds for the
/// statement's PIAID and billing period; acceptRemittanceStatement answers SUCCESS. During an outage set through
/// <c>POST /dev/google/outage</c> it answers 503, so retries, DEAD and recovery can be watched with zero configuration.
/// </summary>
public sealed class GoogleStandIn(IMessageCodec codec, Database database, TimeProvider time)
{
    public const string BaseUrl = "http://google-stand-in.invalid/gsp";
    private const int Kept = 100;

    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private DateTimeOffset? _outageUntil;

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls.Reverse()];

    public DateTimeOffset? OutageUntil
    {
        get
        {
            lock (_calls)
            {
                return _outageUntil > time.GetUtcNow() ? _outageUntil : null;
            }
        }
    }

    /// <summary>Answers 503 for <paramref name="duration"/> from now (zero ends the outage).</summary>
    public void SetOutage(TimeSpan duration)
    {
        lock (_calls)
        {
            _outageUntil = duration > TimeSpan.Zero ? time.GetUtcNow() + duration : null;
        }
    }

    /// <summary>The handler behind the "google" HttpClient when the stand-in is on.</summary>
    public HttpMessageHandler Handler() => new StandInHandler(this);

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct);
        var opened = codec.Open(body, request.Content?.Headers.ContentType?.ToString());
        var status = OutageUntil is not null ? HttpStatusCode.ServiceUnavailable : opened.Error is null ? HttpStatusCode.OK : HttpStatusCode.BadRequest;
        Record(new ReceivedCall(time.GetUtcNow(), request.RequestUri?.AbsolutePath ?? string.Empty, Encoding.UTF8.GetString(opened.Json ?? body), (int)status));
        if (status != HttpStatusCode.OK)
        {
            return new HttpResponseMessage(status);
        }

        var header = ResponseHeader.At(time.GetUtcNow());
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        IMessage response = path.Contains($"/{GspMethods.RemittanceStatementDetails}/", StringComparison.Ordinal)
            ? await DetailsAsync(opened.Json!, header, ct)
            : path.Contains($"/{GspMethods.AcceptRemittanceStatement}/", StringComparison.Ordinal)
                ? new AcceptRemittanceStatementResponse { ResponseHeader = header, AcceptRemittanceStatementResultCode = AcceptResult.Success }
            : path.Contains($"/{GspMethods.GeneratePaymentTokenRedirectCompleteNotification}/", StringComparison.Ordinal)
                ? new GeneratePaymentTokenRedirectCompleteNotificationResponse
                {
                    ResponseHeader = header,
                    Result = new RedirectPaymentNotificationResult { Accepted = new Google.Protobuf.WellKnownTypes.Empty() },
                }
                : new CancelFundsReservationResultNotificationResponse { ResponseHeader = header, Result = ResponseResult.Success };
        var content = new ByteArrayContent(codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(response))));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(codec.ContentType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    /// <summary>
    /// A redirect as Google would start it, for a person to follow in a browser: a fresh GeneratePaymentTokenRedirectRequest
    /// for <paramref name="amountMicros"/>, sealed as the redirectRequest query value of our redirect page.
    /// </summary>
    public string RedirectRequest(string accountId, long amountMicros, string currencyCode, string description)
    {
        var request = new GeneratePaymentTokenRedirectRequest
        {
            RequestHeader = RequestHeader.For("dev-redirect-" + Ids.New()[^12..], time.GetUtcNow(), minor: 1),
            PaymentIntegratorAccountId = accountId,
            TransactionAmount = new TransactionAmount { AmountMicros = amountMicros, CurrencyCode = currencyCode },
            TransactionDescription = description,
        };
        return codec.SealWebSafe(Encoding.UTF8.GetBytes(GspJson.Format(request)));
    }

    /// <summary>What a redirectResponse carries, as Google would read it (plaintext here), or null if it does not open.</summary>
    public string? OpenRedirectResponse(string redirectResponse) =>
        codec.OpenWebSafe(redirectResponse) is { Error: null, Json: { } json } ? Encoding.UTF8.GetString(json) : null;

    private const string StatementPeriod = """
        SELECT billing_start, billing_end FROM remittance_statements WHERE payment_integrator_account_id = @AccountId AND statement_id = @StatementId
        """;

    private const string Captures = """
        SELECT capture_request_id AS event_request_id, capture_id AS payment_integrator_event_id, amount_micros AS event_charge
        FROM captures
        WHERE payment_integrator_account_id = @AccountId AND captured_at >= @Start AND captured_at <= @End
        """;

    private const string Refunds = """
        SELECT refund_request_id AS event_request_id, refund_id AS payment_integrator_event_id, -amount_micros AS event_charge
        FROM refunds
        WHERE payment_integrator_account_id = @AccountId AND created_at >= @Start AND created_at <= @End
        """;

    /// <summary>The statement's events from this database: captures charged to us, refunds credited back (negative).</summary>
    private async Task<RemittanceStatementDetailsResponse> DetailsAsync(byte[] json, ResponseHeader header, CancellationToken ct)
    {
        var request = GspJson.TryParse<RemittanceStatementDetailsRequest>(json, out var parsed) ? parsed : new RemittanceStatementDetailsRequest();
        var key = new { AccountId = request.PaymentIntegratorAccountId, request.StatementId };
        var period = await database.QuerySingleOrDefaultAsync<Period>(StatementPeriod, key, ct) ?? new Period(0, -1);
        var range = new { key.AccountId, Start = period.BillingStart, End = period.BillingEnd };
        var captures = await database.QueryAsync<Event>(Captures, range, ct);
        var refunds = await database.QueryAsync<Event>(Refunds, range, ct);
        var all = captures.Select(e => (Capture: true, e)).Concat(refunds.Select(e => (Capture: false, e)))
            .OrderBy(p => p.e.EventRequestId, StringComparer.Ordinal).ToList();
        var offset = Math.Clamp(request.EventOffset, 0, all.Count);
        var page = all.Skip(offset).Take(request.NumberOfEvents is > 0 and <= 1000 ? request.NumberOfEvents : 1000).ToList();
        var response = new RemittanceStatementDetailsResponse { ResponseHeader = header, EventOffset = offset, TotalEvents = all.Count };
        if (offset + page.Count < all.Count)
        {
            response.NextEventOffset = offset + page.Count;
        }

        foreach (var (capture, e) in page)
        {
            var statementEvent = new StatementEvent { EventRequestId = e.EventRequestId, PaymentIntegratorEventId = e.PaymentIntegratorEventId, EventCharge = e.EventCharge };
            (capture ? response.CaptureEvents : response.RefundEvents).Add(statementEvent);
        }

        return response;
    }

    private void Record(ReceivedCall call)
    {
        _calls.Enqueue(call);
        while (_calls.Count > Kept && _calls.TryDequeue(out _))
        {
        }
    }

    private sealed record Period(long BillingStart, long BillingEnd);

    // Properties, not a constructor: SQLite types an expression column of an empty result as text, and Dapper matches
    // a constructor by those types (a period without refunds would fail).
    private sealed record Event
    {
        public required string EventRequestId { get; init; }

        public required string PaymentIntegratorEventId { get; init; }

        public long EventCharge { get; init; }
    }

    /// <summary>One call the stand-in received (the decrypted body), and what it answered.</summary>
    public sealed record ReceivedCall(DateTimeOffset ReceivedAt, string Path, string Body, int Status);

    private sealed class StandInHandler(GoogleStandIn standIn) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            standIn.AnswerAsync(request, cancellationToken);
    }
}
