using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Gsp;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend.Mollie;

/// <summary>
/// Card authorizations at Mollie through its Payments API v2 (docs/mollie.md cites every call and field). A hold is a
/// payment with <c>captureMode: manual</c> on the customer's mandate (<c>sequenceType: recurring</c>): <c>authorized</c>
/// is SUCCESS, <c>failed</c>, <c>canceled</c> or <c>expired</c> a decline, <c>open</c> or <c>pending</c> not settled yet
/// (read again, on the webhook or by polling). A release is <c>release-authorization</c> (202, confirmed when the
/// payment reads <c>canceled</c>; a 422 is judged by reading the payment); capture and refund are their APIs. Every POST
/// carries the command's key as <c>Idempotency-Key</c>; Mollie keeps a key for an hour, so an attempt past
/// <c>Backend:Mollie:KeyWindow</c> first looks for what an earlier attempt made (the "list" endpoints Mollie's
/// idempotency page recommends) and sends only if it finds nothing. Anything Mollie answers that this does not
/// expect is an attempt without a definite answer, never an exception.
/// </summary>
public sealed class MollieBackend(IHttpClientFactory clients, Database database, IOptions<BackendOptions> options, TimeProvider time)
    : IBackendConnector
{
    private const string AccountOf = "SELECT customer_id, mandate_id FROM mollie_accounts WHERE account_id = @AccountId";

    // A customer here is known at Mollie by the Mollie customers of the accounts they hold (the seed says which).
    private const string MollieCustomersOf = """
        SELECT DISTINCT m.customer_id FROM mollie_accounts m JOIN customer_accounts h ON h.account_id = m.account_id
        WHERE h.customer_id = @CustomerId
        """;

    private const string AccountsOfMandates = "SELECT account_id, customer_id, mandate_id FROM mollie_accounts WHERE customer_id = @CustomerId";

    private const string InsertAccount = "INSERT INTO mollie_accounts (account_id, customer_id, mandate_id) VALUES (@AccountId, @CustomerId, @MandateId)";

    private const int MaxDescription = 255;

    private readonly MollieBackendOptions _options = options.Value.Mollie;

    public async Task<BackendResult> SendAsync(BackendCommand command, CancellationToken ct)
    {
        var attempt = new Attempt();
        try
        {
            var verdict = command.Kind == CommandKind.Hold ? await HoldAsync(attempt, command, ct)
                : command.HoldReference is not { } payment ? Verdict.Failed("the hold has no Mollie payment")
                : command.Kind == CommandKind.Release ? await ReleaseAsync(attempt, command, payment, ct)
                : command.Kind == CommandKind.Capture ? await CaptureAsync(attempt, command, payment, ct)
                : await RefundAsync(attempt, command, payment, ct);
            return attempt.Result(verdict);
        }
        catch (HttpRequestException e)
        {
            return attempt.Result(Verdict.Unknown($"no answer: {e.HttpRequestError}"));
        }
    }

    /// <summary>A payment awaiting its authorization, or a release awaiting <c>canceled</c>: the payment read back.</summary>
    public async Task<BackendResult> CheckAsync(BackendCommand command, CancellationToken ct)
    {
        var attempt = new Attempt();
        try
        {
            if ((command.Kind == CommandKind.Hold ? command.Reference : command.HoldReference) is not { } payment)
            {
                return attempt.Result(Verdict.Unknown("no Mollie payment to read"));
            }

            var read = await ReadPaymentAsync(attempt, payment, ct);
            return attempt.Result(read.Status != 200 ? Unexpected(read) : command.Kind == CommandKind.Hold ? Placed(read, command) : Released(read));
        }
        catch (HttpRequestException e)
        {
            return attempt.Result(Verdict.Unknown($"no answer: {e.HttpRequestError}"));
        }
    }

    /// <summary>A card on file: its mandate (valid: active); what it may pay is its issuer's to decide.</summary>
    public async Task<LedgerAccount?> FindAccountAsync(string accountId, CancellationToken ct)
    {
        if (await database.QuerySingleOrDefaultAsync<MollieAccount>(AccountOf, new { AccountId = accountId }, ct) is not { } account)
        {
            return null;
        }

        var mandate = await ReadAsync($"customers/{Escape(account.CustomerId)}/mandates/{Escape(account.MandateId)}", ct);
        return mandate is JsonObject json ? Card(json, accountId, string.Empty) : null;
    }

    /// <summary>
    /// The customer's valid mandates at Mollie, each an account the redirect page offers (in any currency: a card pays in
    /// it). A customer whose id is a Mollie customer's (<c>cst_…</c>) is that customer; otherwise the Mollie customers
    /// of the accounts the seed says they hold. A mandate the seed names keeps the seed's account id.
    /// </summary>
    public async Task<IReadOnlyList<LedgerAccount>> AccountsOfAsync(string customerId, string currencyCode, CancellationToken ct)
    {
        IReadOnlyList<string> mollieCustomers = customerId.StartsWith("cst_", StringComparison.Ordinal)
            ? [customerId]
            : await database.QueryAsync<string>(MollieCustomersOf, new { CustomerId = customerId }, ct);
        var accounts = new List<LedgerAccount>();
        foreach (var mollieCustomer in mollieCustomers)
        {
            if (await ReadAsync($"customers/{Escape(mollieCustomer)}/mandates?limit=50", ct) is not { } list)
            {
                continue;
            }

            var mandates = (list as JsonObject)?["_embedded"]?["mandates"] as JsonArray
                ?? throw new BackendUnavailableException("Mollie answered a mandates list without _embedded.mandates.");
            var named = (await database.QueryAsync<MollieAccountRow>(AccountsOfMandates, new { CustomerId = mollieCustomer }, ct))
                .ToDictionary(a => a.MandateId, a => a.AccountId, StringComparer.Ordinal);
            accounts.AddRange(mandates.OfType<JsonObject>()
                .Where(m => Text(m, "status") == "valid" && Text(m, "id") is { Length: > 0 })
                .Select(m => Card(m, named.GetValueOrDefault(Text(m, "id")!, Text(m, "id")!), currencyCode) with { Holder = mollieCustomer }));
        }

        return accounts;
    }

    /// <summary>The mandate chosen on the redirect page is the account: its payments are made on it, for its Mollie customer.</summary>
    public async Task BindAsync(DbTx tx, LedgerAccount account, string customerId, CancellationToken ct)
    {
        if (await tx.QuerySingleOrDefaultAsync<MollieAccount>(AccountOf, new { account.AccountId }, ct) is not null)
        {
            return; // the seed's, already known
        }

        await tx.ExecuteAsync(InsertAccount, new { account.AccountId, CustomerId = account.Holder ?? customerId, MandateId = account.AccountId }, ct);
    }

    public string? AmountProblem(long amountMicros, string currencyCode) =>
        MollieAmount.Value(amountMicros, currencyCode) is null
            ? $"{currencyCode} has {Currencies.MinorUnits(currencyCode)} decimals; Mollie cannot move a fraction of its smallest unit"
            : null;

    private async Task<Verdict> HoldAsync(Attempt attempt, BackendCommand command, CancellationToken ct)
    {
        if (command.Reference is { } known)
        {
            // The payment exists (an earlier attempt learned its id): read it, never create another.
            var read = await ReadPaymentAsync(attempt, known, ct);
            return read.Status == 200 ? Placed(read, command) : Unexpected(read);
        }

        if (await database.QuerySingleOrDefaultAsync<MollieAccount>(AccountOf, new { command.AccountId }, ct) is not { } account)
        {
            return Verdict.Failed($"account {command.AccountId} has no Mollie customer and mandate");
        }

        if (PastKeyWindow(command))
        {
            var payments = await CallAsync(attempt, HttpMethod.Get, $"customers/{Escape(account.CustomerId)}/payments?limit=250", null, null, ct);
            if (payments.Status != 200)
            {
                return Unexpected(payments);
            }

            var earlier = (payments.Json["_embedded"]?["payments"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(p => p["metadata"] is JsonObject m && Text(m, "holdId") == command.HoldId);
            if (earlier is not null)
            {
                return Placed(new Answer(200, earlier), command);
            }
        }

        var body = new JsonObject
        {
            ["amount"] = Amount(command.AmountMicros, command.CurrencyCode),
            ["description"] = Truncate(command.Description ?? "Google payment"),
            ["sequenceType"] = "recurring",
            ["customerId"] = account.CustomerId,
            ["mandateId"] = account.MandateId,
            ["captureMode"] = "manual",
            ["metadata"] = new JsonObject
            {
                ["paymentIntegratorAccountId"] = command.PaymentIntegratorAccountId,
                ["requestId"] = command.RequestId,
                ["holdId"] = command.HoldId,
            },
        };
        if (_options.WebhookUrl is { } webhook)
        {
            body["webhookUrl"] = webhook.ToString();
        }

        var created = await CallAsync(attempt, HttpMethod.Post, "payments", body, command.CommandKey, ct);
        return created switch
        {
            { Status: 201 or 200 } => Placed(created, command),
            { Status: 422, Field: "mandateId" or "customerId" } => Verdict.Declined(AccountRefusal.Closed, null),
            _ => Unexpected(created),
        };
    }

    private async Task<Verdict> ReleaseAsync(Attempt attempt, BackendCommand command, string payment, CancellationToken ct)
    {
        var released = await CallAsync(attempt, HttpMethod.Post, $"payments/{Escape(payment)}/release-authorization", [], command.CommandKey, ct);
        if (released.Status == 202)
        {
            return Verdict.Of(BackendVerdict.Awaiting);
        }

        if (released.Status != 422)
        {
            return Unexpected(released);
        }

        // Not in the authorized state: the payment says why.
        var read = await ReadPaymentAsync(attempt, payment, ct);
        return read.Status == 200 ? Released(read) : Unexpected(read);
    }

    private async Task<Verdict> CaptureAsync(Attempt attempt, BackendCommand command, string payment, CancellationToken ct)
    {
        if (command.AttemptCount > 0)
        {
            // A capture an earlier attempt may have made shows on the payment.
            var read = await ReadPaymentAsync(attempt, payment, ct);
            if (read is { Status: 200 } && Captured(read) is { } done)
            {
                return done;
            }
        }

        var body = new JsonObject
        {
            ["amount"] = Amount(command.AmountMicros, command.CurrencyCode),
            ["metadata"] = new JsonObject { ["captureId"] = command.CaptureId },
        };
        var created = await CallAsync(attempt, HttpMethod.Post, $"payments/{Escape(payment)}/captures", body, command.CommandKey, ct);
        if (created.Status is 201 or 200)
        {
            return Text(created.Json, "status") switch
            {
                "pending" or "succeeded" => Verdict.Confirmed(Text(created.Json, "id")),
                "failed" => Verdict.Failed("Mollie's capture failed"),
                var status => Verdict.Unknown($"a capture with an unexpected status ({Printable(status)})"),
            };
        }

        if (created.Status != 422)
        {
            return Unexpected(created);
        }

        var after = await ReadPaymentAsync(attempt, payment, ct);
        return after is { Status: 200 } && Captured(after) is { } verdict ? verdict : Verdict.Failed($"Mollie refused the capture: {created.Error}");
    }

    private async Task<Verdict> RefundAsync(Attempt attempt, BackendCommand command, string payment, CancellationToken ct)
    {
        if (PastKeyWindow(command))
        {
            var refunds = await CallAsync(attempt, HttpMethod.Get, $"payments/{Escape(payment)}/refunds?limit=250", null, null, ct);
            if (refunds.Status != 200)
            {
                return Unexpected(refunds);
            }

            var earlier = (refunds.Json["_embedded"]?["refunds"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(r => r["metadata"] is JsonObject m && Text(m, "refundId") == command.RefundId);
            if (earlier is not null)
            {
                return Refunded(new Answer(200, earlier));
            }
        }

        var body = new JsonObject
        {
            ["amount"] = Amount(command.AmountMicros, command.CurrencyCode),
            ["metadata"] = new JsonObject { ["refundId"] = command.RefundId },
        };
        var created = await CallAsync(attempt, HttpMethod.Post, $"payments/{Escape(payment)}/refunds", body, command.CommandKey, ct);
        return created.Status is 201 or 200 ? Refunded(created) : Unexpected(created);
    }

    /// <summary>What a payment's status says of a hold.</summary>
    private static Verdict Placed(Answer payment, BackendCommand command)
    {
        var id = Text(payment.Json, "id");
        if (payment.Json["metadata"] is JsonObject metadata && Text(metadata, "holdId") is { } holdId && holdId != command.HoldId)
        {
            return Verdict.Unknown($"the answer is another hold's payment ({Printable(id)})");
        }

        return Text(payment.Json, "status") switch
        {
            "authorized" => Verdict.Confirmed(id),
            "open" or "pending" => Verdict.Of(BackendVerdict.Awaiting) with { Reference = id },
            "failed" or "canceled" or "expired" => Verdict.Declined(RefusalOf(payment.Json["details"]?["failureReason"]?.GetValue<string>()), id),
            var status => Verdict.Unknown($"a payment with an unexpected status ({Printable(status)})") with { Reference = id },
        };
    }

    /// <summary>What a payment's status says of a release.</summary>
    private static Verdict Released(Answer payment) => Text(payment.Json, "status") switch
    {
        "canceled" or "expired" => Verdict.Of(BackendVerdict.Confirmed),
        "paid" => Verdict.Refused("CAPTURED"),
        "authorized" => Verdict.Of(BackendVerdict.Awaiting),
        var status => Verdict.Unknown($"a payment with an unexpected status ({Printable(status)})"),
    };

    /// <summary>A payment that can no longer be captured says why; a paid one was captured (by an earlier attempt); null: capture it.</summary>
    private static Verdict? Captured(Answer payment) => Text(payment.Json, "status") switch
    {
        "paid" => Verdict.Confirmed(null),
        "canceled" => Verdict.Refused("RELEASED"),
        "expired" => Verdict.Refused("EXPIRED"),
        _ => null,
    };

    private static Verdict Refunded(Answer refund) => Text(refund.Json, "status") switch
    {
        "queued" or "pending" or "processing" or "refunded" => Verdict.Confirmed(Text(refund.Json, "id")),
        "failed" or "canceled" => Verdict.Declined(AccountRefusal.Closed, Text(refund.Json, "id")),
        var status => Verdict.Unknown($"a refund with an unexpected status ({Printable(status)})"),
    };

    /// <summary>
    /// A card's failure as the GSP decline closest to it: a card that no longer works is a closed account, one held for
    /// fraud an account on hold, anything else (insufficient funds, refused by the issuer) insufficient funds.
    /// </summary>
    private static AccountRefusal RefusalOf(string? failureReason) => failureReason switch
    {
        "card_expired" or "inactive_card" or "invalid_card_number" => AccountRefusal.Closed,
        "possible_fraud" => AccountRefusal.OnHold,
        _ => AccountRefusal.InsufficientFunds,
    };

    private static Verdict Unexpected(Answer answer) => answer.Status switch
    {
        Answer.Unreadable => Verdict.Unknown(answer.Error!),
        >= 500 or 408 or 409 or 429 => Verdict.Unknown($"HTTP {answer.Status}"),
        >= 400 => Verdict.Failed($"HTTP {answer.Status}{(answer.Error is { } error ? $": {error}" : string.Empty)}"),
        _ => Verdict.Unknown($"HTTP {answer.Status} with a body Mollie's API does not give here"),
    };

    private bool PastKeyWindow(BackendCommand command) =>
        command.AttemptCount > 0 && time.GetUtcNow() - command.CreatedAt > _options.KeyWindow;

    private Task<Answer> ReadPaymentAsync(Attempt attempt, string payment, CancellationToken ct) =>
        CallAsync(attempt, HttpMethod.Get, $"payments/{Escape(payment)}", null, null, ct);

    private async Task<Answer> CallAsync(Attempt? attempt, HttpMethod method, string path, JsonObject? body, string? key, CancellationToken ct)
    {
        using var request = Request(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await clients.CreateClient(BackendOptions.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var status = (int)response.StatusCode;
        attempt?.Answered(status);
        var read = await BoundedBody.ReadAsync(response, ct);
        return read is null ? Answer.Garbage(status, $"an answer longer than {BoundedBody.MaxBytes / 1024} KiB") : Answer.Parse(status, read);
    }

    /// <summary>A read for the redirect page or the console: the JSON, null for 404, else <see cref="BackendUnavailableException"/>.</summary>
    private async Task<JsonNode?> ReadAsync(string path, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            var answer = await CallAsync(null, HttpMethod.Get, path, null, null, timeout.Token);
            return answer.Status switch
            {
                200 when answer.Error is null => answer.Json,
                404 => null,
                _ => throw new BackendUnavailableException($"Mollie answered a read with HTTP {answer.Status}."),
            };
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new BackendUnavailableException($"Mollie did not answer a read ({e.GetType().Name}).", e);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var baseUrl = _options.BaseUrl.ToString();
        var request = new HttpRequestMessage(method, new Uri(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/hal+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static LedgerAccount Card(JsonObject mandate, string accountId, string currencyCode)
    {
        var details = mandate["details"] as JsonObject;
        var label = details is null ? null : string.Join(" ", new[] { Text(details, "cardLabel"), Text(details, "cardNumber") is { } last ? $"•••• {last}" : null }.OfType<string>());
        return new LedgerAccount
        {
            AccountId = accountId,
            CurrencyCode = currencyCode,
            Status = Text(mandate, "status") == "valid" ? AccountStatus.Active : AccountStatus.Closed,
            Label = string.IsNullOrEmpty(label) ? null : label,
        };
    }

    private static JsonObject Amount(long micros, string currency) =>
        new() { ["currency"] = currency, ["value"] = MollieAmount.Value(micros, currency) };

    private static string Truncate(string text) => text.Length <= MaxDescription ? text : text[..MaxDescription];

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Printable(string? text) =>
        text is null ? "none" : new string([.. text.Where(c => !char.IsControl(c)).Take(64)]);

    private sealed record MollieAccount(string CustomerId, string MandateId);

    private sealed record MollieAccountRow(string AccountId, string CustomerId, string MandateId);

    /// <summary>Mollie's answer: its status and JSON object (empty when it sent none), and an error's title and detail.</summary>
    private sealed record Answer(int Status, JsonObject Json)
    {
        public string? Error { get; init; }

        public string? Field => Text(Json, "field");

        public static Answer Parse(int status, byte[] body)
        {
            JsonObject? json = null;
            try
            {
                json = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
            }
            catch (JsonException)
            {
            }

            return json is null
                ? status is >= 200 and < 300 && body.Length > 0 ? Garbage(status, "a body that is not JSON") : new Answer(status, [])
                : new Answer(status, json) { Error = status >= 400 ? Printable($"{Text(json, "title")}: {Text(json, "detail")}") : null };
        }

        /// <summary>The status of an answer that could not be read: an attempt to make again.</summary>
        public const int Unreadable = 599;

        public static Answer Garbage(int status, string what) => new(Unreadable, []) { Error = $"HTTP {status} with {what}" };
    }

    /// <summary>One attempt's calls to Mollie: when it started, the last HTTP status it got.</summary>
    private sealed class Attempt
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private int? _status;

        public void Answered(int status) => _status = status;

        public BackendResult Result(Verdict verdict) =>
            new(verdict.Kind, _status, (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds, verdict.Error, verdict.Refusal, verdict.State, verdict.Reference);
    }

    /// <summary>The verdict on an answer, before the attempt's status and latency are added.</summary>
    private sealed record Verdict(BackendVerdict Kind, string? Error = null, AccountRefusal Refusal = AccountRefusal.None, string? State = null)
    {
        public string? Reference { get; init; }

        public static Verdict Of(BackendVerdict kind) => new(kind);

        public static Verdict Confirmed(string? reference) => new(BackendVerdict.Confirmed) { Reference = reference };

        public static Verdict Declined(AccountRefusal refusal, string? reference) => new(BackendVerdict.Declined, Refusal: refusal) { Reference = reference };

        public static Verdict Refused(string state) => new(BackendVerdict.Refused, State: state);

        public static Verdict Failed(string error) => new(BackendVerdict.Failed, error);

        public static Verdict Unknown(string error) => new(BackendVerdict.Unknown, error);
    }
}
