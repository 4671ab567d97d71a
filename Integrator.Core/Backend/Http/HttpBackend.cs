using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Ledger;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Backend.Http;

/// <summary>
/// The integrator's core behind the Http contract (docs/backend-http.openapi.yaml). Every POST carries
/// the command's key as <c>Idempotency-Key</c>; amounts are micros as decimal strings. Answers are read strictly and
/// at most 64 KiB: anything the contract does not say — malformed JSON, an unknown status, another hold's id, a huge
/// body, a 5xx, a timeout — is an attempt without a definite answer (sent again with the same key), never an
/// exception and never a state change; a 4xx other than the contract's is a failed command, for support.
/// </summary>
public sealed class HttpBackend(IHttpClientFactory clients, IOptions<BackendOptions> options) : IBackendConnector
{
    private readonly BackendOptions _options = options.Value;

    public async Task<BackendResult> SendAsync(BackendCommand command, CancellationToken ct)
    {
        var hold = Uri.EscapeDataString(command.HoldId);
        var amount = Micros(command.AmountMicros);
        if (command.Kind == CommandKind.Hold)
        {
            var body = new JsonObject
            {
                ["holdId"] = command.HoldId,
                ["accountId"] = command.AccountId,
                ["amountMicros"] = amount,
                ["currencyCode"] = command.CurrencyCode,
                ["expiresAt"] = command.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            };
            if (command.Description is { } description)
            {
                body["description"] = description;
            }

            return await CallAsync(HttpMethod.Post, "holds", body, command.CommandKey, answer => HoldPlaced(answer, command.HoldId), ct);
        }

        if (command.Kind == CommandKind.Release)
        {
            return await CallAsync(HttpMethod.Post, $"holds/{hold}/release", new JsonObject { ["reason"] = command.Description }, command.CommandKey, Released, ct);
        }

        if (command.Kind == CommandKind.Capture)
        {
            var body = new JsonObject { ["captureId"] = command.CaptureId, ["amountMicros"] = amount };
            return await CallAsync(HttpMethod.Post, $"holds/{hold}/capture", body, command.CommandKey, Captured, ct);
        }

        var refund = new JsonObject { ["refundId"] = command.RefundId, ["captureId"] = command.CaptureId, ["amountMicros"] = amount };
        return await CallAsync(HttpMethod.Post, "refunds", refund, command.CommandKey, answer => Refunded(answer, command.RefundId!), ct);
    }

    /// <summary>A release awaiting confirmation: where its hold stands now.</summary>
    public Task<BackendResult> CheckAsync(BackendCommand command, CancellationToken ct) =>
        CallAsync(HttpMethod.Get, $"holds/{Uri.EscapeDataString(command.HoldId)}", null, null, answer => ReleaseChecked(answer, command.HoldId), ct);

    public async Task<LedgerAccount?> FindAccountAsync(string accountId, CancellationToken ct)
    {
        var answer = await ReadAsync($"accounts/{Uri.EscapeDataString(accountId)}", ct);
        return answer is null ? null : ParseAccount(answer) ?? throw Unreadable("an account it could not read");
    }

    public async Task<IReadOnlyList<LedgerAccount>> AccountsOfAsync(string customerId, string currencyCode, CancellationToken ct)
    {
        var answer = await ReadAsync($"customers/{Uri.EscapeDataString(customerId)}/accounts?currencyCode={Uri.EscapeDataString(currencyCode)}", ct);
        // The contract's {"accounts": [...]}; a bare array is read too.
        var list = (answer as JsonObject)?["accounts"] as JsonArray ?? answer as JsonArray;
        if (answer is null)
        {
            return [];
        }

        if (list is null)
        {
            throw Unreadable("a customer's accounts without an accounts list");
        }

        var accounts = list.Select(ParseAccount).ToList();
        return accounts.Contains(null) ? throw Unreadable("an account it could not read") : [.. accounts.Where(a => a!.CurrencyCode == currencyCode).Select(a => a!)];
    }

    /// <summary>The core knows its accounts by their ids: nothing more to record.</summary>
    public Task BindAsync(DbTx tx, LedgerAccount account, string customerId, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The contract's amounts are micros: any amount is one.</summary>
    public string? AmountProblem(long amountMicros, string currencyCode) => null;

    private static Verdict HoldPlaced(Answer answer, string holdId) => answer switch
    {
        { Status: 200 } when Id(answer, "holdId") != holdId => Verdict.Unknown($"the answer names another hold ({Id(answer, "holdId") ?? "none"})"),
        { Status: 200, State: "HELD" } => Verdict.Of(BackendVerdict.Confirmed),
        { Status: 200, State: "DECLINED" } => Reason(answer) switch
        {
            "INSUFFICIENT_FUNDS" => Verdict.Declined(AccountRefusal.InsufficientFunds),
            "ACCOUNT_CLOSED" => Verdict.Declined(AccountRefusal.Closed),
            "ACCOUNT_ON_HOLD" => Verdict.Declined(AccountRefusal.OnHold),
            "LIMIT_EXCEEDED" => Verdict.Declined(AccountRefusal.OverLimit),
            var reason => Verdict.Unknown($"a decline with an unknown reason ({Printable(reason)})"),
        },
        { Status: 404 } => Verdict.Failed("the core does not know the account"),
        _ => Unexpected(answer),
    };

    private static Verdict Released(Answer answer) => answer switch
    {
        { Status: 200, State: "RELEASED" or "EXPIRED" } => Verdict.Of(BackendVerdict.Confirmed),
        { Status: 202, State: "RELEASE_PENDING" } => Verdict.Of(BackendVerdict.Awaiting),
        { Status: 409, State: "CAPTURED" } => Verdict.Refused("CAPTURED"),
        { Status: 404 } => Verdict.Failed("the core does not know the hold"),
        _ => Unexpected(answer),
    };

    private static Verdict Captured(Answer answer) => answer switch
    {
        { Status: 200, State: "CAPTURED" } => Verdict.Of(BackendVerdict.Confirmed),
        { Status: 409, State: "RELEASED" or "EXPIRED" or "CAPTURED" } => Verdict.Refused(answer.State!),
        { Status: 404 } => Verdict.Failed("the core does not know the hold"),
        _ => Unexpected(answer),
    };

    private static Verdict Refunded(Answer answer, string refundId) => answer switch
    {
        { Status: 200 } when Id(answer, "refundId") != refundId => Verdict.Unknown($"the answer names another refund ({Id(answer, "refundId") ?? "none"})"),
        { Status: 200, State: "REFUNDED" } => Verdict.Of(BackendVerdict.Confirmed),
        { Status: 200, State: "DECLINED" } => Reason(answer) switch
        {
            "ACCOUNT_CLOSED" => Verdict.Declined(AccountRefusal.Closed),
            "ACCOUNT_ON_HOLD" => Verdict.Declined(AccountRefusal.OnHold),
            var reason => Verdict.Unknown($"a decline with an unknown reason ({Printable(reason)})"),
        },
        { Status: 404 } => Verdict.Failed("the core does not know the capture"),
        _ => Unexpected(answer),
    };

    private static Verdict ReleaseChecked(Answer answer, string holdId) => answer switch
    {
        { Status: 200 } when Id(answer, "holdId") is { } id && id != holdId => Verdict.Unknown($"the answer names another hold ({id})"),
        { Status: 200, State: "RELEASED" or "EXPIRED" } => Verdict.Of(BackendVerdict.Confirmed),
        { Status: 200, State: "RELEASE_PENDING" or "HELD" } => Verdict.Of(BackendVerdict.Awaiting),
        { Status: 200, State: "CAPTURED" } => Verdict.Refused("CAPTURED"),
        _ => Unexpected(answer),
    };

    /// <summary>What the contract does not say: a 5xx, 408 or 429 is worth another try; another 4xx fails the command.</summary>
    private static Verdict Unexpected(Answer answer) => answer.Status switch
    {
        >= 500 or 408 or 429 => Verdict.Unknown($"HTTP {answer.Status}"),
        >= 400 and < 500 when answer.Status != 404 => Verdict.Failed($"HTTP {answer.Status}{(answer.Error is { } error ? $": {error}" : string.Empty)}"),
        _ when answer.Status is 200 or 202 or 409 && answer.State is { } state => Verdict.Unknown($"HTTP {answer.Status} with an unexpected status ({Printable(state)})"),
        _ => Verdict.Unknown($"HTTP {answer.Status} the contract does not give here"),
    };

    private async Task<BackendResult> CallAsync(HttpMethod method, string path, JsonObject? body, string? key, Func<Answer, Verdict> judge, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        try
        {
            using var request = Request(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                request.Headers.Add("Idempotency-Key", key);
            }

            using var response = await clients.CreateClient(BackendOptions.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            var read = await BoundedBody.ReadAsync(response, ct);
            var verdict = read is null
                ? Verdict.Unknown($"an answer longer than {BoundedBody.MaxBytes / 1024} KiB")
                : Answer.Parse(status.Value, read) is { } answer ? judge(answer) : Verdict.Unknown($"HTTP {status} with a body that is not the contract's JSON");
            return verdict.Result(status, Elapsed(started));
        }
        catch (HttpRequestException e)
        {
            return new BackendResult(BackendVerdict.Unknown, status, Elapsed(started), $"no answer: {e.HttpRequestError}");
        }
    }

    /// <summary>A read for the console or the redirect page: the JSON, null for 404, else <see cref="BackendUnavailableException"/>.</summary>
    private async Task<JsonNode?> ReadAsync(string path, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var request = Request(HttpMethod.Get, path);
            using var response = await clients.CreateClient(BackendOptions.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            var read = await BoundedBody.ReadAsync(response, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK || read is null)
            {
                throw Unreadable($"HTTP {(int)response.StatusCode}");
            }

            return JsonNode.Parse(read);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new BackendUnavailableException($"The account back end did not answer a read ({e.GetType().Name}).", e);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUrl(), path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.Http.Token is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private Uri BaseUrl()
    {
        var url = (_options.Http.BaseUrl ?? throw new InvalidOperationException("Backend:Http:BaseUrl is not set.")).ToString();
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    private static LedgerAccount? ParseAccount(JsonNode? node)
    {
        if (node is not JsonObject account
            || Text(account, "accountId") is not { } id
            || Text(account, "currencyCode") is not { } currency
            || ParseMicros(Text(account, "availableMicros")) is not { } available
            || !AccountStatus.All.Any(s => s.Wire == Text(account, "status")))
        {
            return null;
        }

        var limit = ParseMicros(Text(account, "transactionLimitMicros"));
        if (account["transactionLimitMicros"] is not null && limit is null)
        {
            return null;
        }

        var status = AccountStatus.All.First(s => s.Wire == Text(account, "status"));
        return new LedgerAccount { AccountId = id, CurrencyCode = currency, Status = status, AvailableMicros = available, TransactionLimitMicros = limit };
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? ParseMicros(string? text) =>
        text is { Length: > 0 and <= 19 } && (text.All(char.IsAsciiDigit) || (text[0] == '-' && text.Length > 1 && text[1..].All(char.IsAsciiDigit)))
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)
            ? micros
            : null;

    private static string? Id(Answer answer, string name) => Text(answer.Json, name);

    private static string? Reason(Answer answer) => Text(answer.Json, "reason");

    private static string Micros(long micros) => micros.ToString(CultureInfo.InvariantCulture);

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>At most 64 printable characters of what the core sent, for support's eyes.</summary>
    private static string Printable(string? text) =>
        text is null ? "none" : new string([.. text.Where(c => !char.IsControl(c)).Take(64)]);

    private static BackendUnavailableException Unreadable(string what) => new($"The account back end answered {what}.");

    /// <summary>An answer that is the contract's JSON object; its <c>status</c> and <c>error</c> read once.</summary>
    private sealed record Answer(int Status, JsonObject Json, string? State, string? Error)
    {
        /// <returns>Null for a 2xx whose body is not a JSON object; an error's body may be anything.</returns>
        public static Answer? Parse(int status, byte[] body)
        {
            JsonObject? json = null;
            try
            {
                json = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
            }
            catch (JsonException)
            {
            }

            return json is not null ? new Answer(status, json, Text(json, "status"), Text(json, "error") is { } error ? Printable(error) : null)
                : status is >= 200 and < 300 ? null
                : new Answer(status, [], null, null);
        }
    }

    /// <summary>The verdict on an answer, before the attempt's status and latency are added.</summary>
    private sealed record Verdict(BackendVerdict Kind, string? Error = null, AccountRefusal Refusal = AccountRefusal.None, string? State = null)
    {
        public static Verdict Of(BackendVerdict kind) => new(kind);

        public static Verdict Declined(AccountRefusal refusal) => new(BackendVerdict.Declined, Refusal: refusal);

        public static Verdict Refused(string state) => new(BackendVerdict.Refused, State: state);

        public static Verdict Failed(string error) => new(BackendVerdict.Failed, error);

        public static Verdict Unknown(string error) => new(BackendVerdict.Unknown, error);

        public BackendResult Result(int? status, long latencyMs) => new(Kind, status, latencyMs, Error, Refusal, State);
    }
}
