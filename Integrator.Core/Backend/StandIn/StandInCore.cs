using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Ledger;

namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// A bank's core behind the Http contract (docs/backend-http.openapi.yaml), in memory: the reference stand-in that
/// Development uses with zero configuration (<c>Backend:Provider=Http</c>, shown at <c>/dev/core</c>) and the tests use as
/// the bank. It honours the contract's idempotency (a holdId or refundId again gets the same answer, never a second
/// effect), counts every effect it makes, keeps the last calls it received, and plays faults on request
/// (<see cref="StandInFault"/>): unavailable, slow, answers lost after the effect, releases confirmed later (by an
/// event, or for the caller to poll), garbage answers.
/// </summary>
public sealed class StandInCore(TimeProvider time)
{
    /// <summary>Where Integrator's in-process client reaches it in Development (never the network).</summary>
    public const string BaseUrl = "http://core-stand-in.invalid/api";

    private const int Kept = 200;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Hold> _holds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefundRecord> _refunds = new(StringComparer.Ordinal);
    private readonly List<StandInEffect> _effects = [];
    private readonly ConcurrentQueue<StandInCall> _calls = new();

    /// <summary>If set, every call must carry <c>Authorization: Bearer {RequiredToken}</c> (else 401).</summary>
    public string? RequiredToken { get; set; }

    /// <summary>Added to every call before it is handled (a core far away).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Told the holdId of a pending release once it is confirmed (the core's event); null: the caller must poll.</summary>
    public Func<string, Task>? Events { get; set; }

    public IReadOnlyList<StandInEffect> Effects
    {
        get
        {
            lock (_lock)
            {
                return [.. _effects];
            }
        }
    }

    /// <summary>The faults it plays on request.</summary>
    public StandInFaults Faults { get; } = new(time);

    /// <summary>The last calls received, newest first.</summary>
    public IReadOnlyList<StandInCall> Calls => [.. _calls.Reverse()];

    /// <summary>Opens (or replaces) an account; <paramref name="customerId"/> is who sees it on the redirect page.</summary>
    public void Open(string accountId, string currencyCode, long balanceMicros, AccountStatus status, long? transactionLimitMicros = null, string? customerId = null)
    {
        lock (_lock)
        {
            _accounts[accountId] = new Account(accountId, currencyCode, customerId) { Status = status, BalanceMicros = balanceMicros, LimitMicros = transactionLimitMicros };
        }
    }

    /// <summary>Opens the seed's accounts, with their balances, as this core's own.</summary>
    public void Open(SeedDocument seed)
    {
        foreach (var account in seed.Accounts)
        {
            Open(
                account.AccountId!,
                account.CurrencyCode!,
                account.BalanceMicros ?? 0,
                AccountStatus.All.FirstOrDefault(s => s.Wire == account.Status, AccountStatus.Active),
                account.TransactionLimitMicros,
                account.CustomerId);
        }
    }

    public void SetStatus(string accountId, AccountStatus status)
    {
        lock (_lock)
        {
            _accounts[accountId].Status = status;
        }
    }

    /// <summary>The hold is captured by someone other than Integrator (a teller, another channel): a release is then refused.</summary>
    public bool CaptureOutside(string holdId)
    {
        lock (_lock)
        {
            if (!_holds.TryGetValue(holdId, out var hold) || hold.State != "HELD")
            {
                return false;
            }

            Capture(hold, "outside", hold.AmountMicros, null);
            return true;
        }
    }

    /// <summary>Where a hold stands, or null if this core never received it.</summary>
    public string? HoldState(string holdId)
    {
        lock (_lock)
        {
            return _holds.TryGetValue(holdId, out var hold) ? StateOf(hold) : null;
        }
    }

    /// <summary>Balance and what is held, for the page and the tests.</summary>
    public (long BalanceMicros, long HeldMicros)? Balance(string accountId)
    {
        lock (_lock)
        {
            return _accounts.TryGetValue(accountId, out var account) ? (account.BalanceMicros, account.HeldMicros) : null;
        }
    }

    /// <summary>Everything the stand-in holds, as <c>GET /dev/core</c> shows it.</summary>
    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["accounts"] = new JsonArray([.. _accounts.Values.OrderBy(a => a.AccountId, StringComparer.Ordinal).Select(a => (JsonNode)AccountJson(a))]),
                ["holds"] = new JsonArray([.. _holds.Values.OrderBy(h => h.PlacedAt).Select(h => (JsonNode)new JsonObject
                {
                    ["holdId"] = h.HoldId,
                    ["accountId"] = h.AccountId,
                    ["amountMicros"] = Micros(h.AmountMicros),
                    ["status"] = StateOf(h),
                    ["reason"] = h.Reason,
                    ["captureId"] = h.CaptureId,
                })]),
                ["refunds"] = new JsonArray([.. _refunds.Values.Select(r => (JsonNode)new JsonObject
                {
                    ["refundId"] = r.RefundId,
                    ["captureId"] = r.CaptureId,
                    ["amountMicros"] = Micros(r.AmountMicros),
                    ["status"] = r.Status,
                })]),
                ["faults"] = FaultsJson(Faults),
                ["latencyMs"] = (long)Latency.TotalMilliseconds,
                ["effects"] = _effects.Count,
                ["received"] = new JsonArray([.. Calls.Take(50).Select(c => (JsonNode)new JsonObject
                {
                    ["at"] = c.At.ToString("O", CultureInfo.InvariantCulture),
                    ["call"] = $"{c.Method} {c.Path}",
                    ["idempotencyKey"] = c.IdempotencyKey,
                    ["status"] = c.Status,
                    ["fault"] = c.Fault,
                })]),
            };
        }
    }

    /// <summary>Handles one call of the contract; never throws for what the caller sent.</summary>
    public async Task<StandInAnswer> HandleAsync(StandInRequest request, CancellationToken ct)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, time, ct);
        }

        var operation = OperationOf(request);
        var fault = Faults.Take(operation);
        StandInAnswer answer;
        if (RequiredToken is { } token && request.Authorization != $"Bearer {token}")
        {
            answer = Error(401, "missing or wrong bearer token");
        }
        else if (fault?.Kind == StandInFault.Unavailable)
        {
            answer = Error(503, "the core is unavailable (stand-in fault)");
        }
        else if (fault?.Kind == StandInFault.Reject)
        {
            answer = Error(400, "the core refuses this request (stand-in fault)");
        }
        else
        {
            answer = Route(request, operation, fault, time.GetUtcNow());
            answer = fault?.Kind switch
            {
                StandInFault.Lose => answer with { Lost = true },
                StandInFault.Malformed => answer with { Body = "{\"status\": \"HELD\"" },
                StandInFault.UnknownStatus => answer with { Body = Rewrite(answer.Body, json => json["status"] = "MAYBE") },
                StandInFault.WrongId => answer with { Body = Rewrite(answer.Body, WrongIds) },
                StandInFault.Huge => answer with { Body = "{\"padding\": \"" + new string('x', 1024 * 1024) + "\"}" },
                _ => answer,
            };
        }

        _calls.Enqueue(new StandInCall(time.GetUtcNow(), request.Method, request.Path, request.IdempotencyKey, answer.Lost ? 0 : answer.Status, fault?.Kind));
        while (_calls.Count > Kept && _calls.TryDequeue(out _))
        {
        }

        if (fault?.Kind == StandInFault.Slow)
        {
            // The effect is done; the answer is late (a caller that gave up never reads it).
            await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), time, CancellationToken.None);
        }

        return answer;
    }

    /// <summary>The handler behind an HttpClient that talks to this core in-process (Development).</summary>
    public HttpMessageHandler Handler(string basePath) => new InProcessHandler(this, basePath);

    private StandInAnswer Route(StandInRequest request, string operation, StandInFault? fault, DateTimeOffset now)
    {
        var segments = request.Path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        try
        {
            return (request.Method, segments) switch
            {
                ("POST", ["holds"]) => PlaceHold(request, now),
                ("POST", ["holds", var holdId, "release"]) => Release(holdId, request, fault, now),
                ("POST", ["holds", var holdId, "capture"]) => CaptureHold(holdId, request, now),
                ("GET", ["holds", var holdId]) => ReadHold(holdId, now),
                ("POST", ["refunds"]) => MakeRefund(request, now),
                ("GET", ["refunds", var refundId]) => ReadRefund(refundId),
                ("GET", ["accounts", var accountId]) => ReadAccount(accountId),
                ("GET", ["customers", var customerId, "accounts"]) => ReadAccountsOf(customerId, request.Query),
                _ => Error(404, $"no such call: {request.Method} {request.Path} ({operation})"),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            return Error(400, $"malformed request: {e.Message}");
        }
    }

    private StandInAnswer PlaceHold(StandInRequest request, DateTimeOffset now)
    {
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        var holdId = Text(root, "holdId");
        var accountId = Text(root, "accountId");
        var amount = Amount(root, "amountMicros");
        var currency = Text(root, "currencyCode");
        var expiresAt = DateTimeOffset.Parse(Text(root, "expiresAt"), CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (_holds.TryGetValue(holdId, out var known))
            {
                return HoldAnswer(known, now);
            }

            if (!_accounts.TryGetValue(accountId, out var account))
            {
                return Error(404, "unknown account");
            }

            if (currency != account.CurrencyCode)
            {
                return Error(400, "the account is not held in this currency");
            }

            var reason = account.Status == AccountStatus.Closed ? "ACCOUNT_CLOSED"
                : account.Status == AccountStatus.OnHold ? "ACCOUNT_ON_HOLD"
                : amount > account.LimitMicros ? "LIMIT_EXCEEDED"
                : amount > account.AvailableMicros ? "INSUFFICIENT_FUNDS"
                : null;
            var hold = new Hold(holdId, accountId, amount, now, expiresAt) { State = reason is null ? "HELD" : "DECLINED", Reason = reason };
            _holds[holdId] = hold;
            if (reason is null)
            {
                account.HeldMicros += amount;
                _effects.Add(new StandInEffect(now, "HOLD", holdId, request.IdempotencyKey, accountId, amount));
            }

            return HoldAnswer(hold, now);
        }
    }

    private StandInAnswer Release(string holdId, StandInRequest request, StandInFault? fault, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_holds.TryGetValue(holdId, out var hold) || hold.State == "DECLINED")
            {
                return Error(404, "unknown hold");
            }

            switch (StateOf(hold))
            {
                case "CAPTURED":
                    return Answer(409, new JsonObject { ["status"] = "CAPTURED" });
                case "RELEASED" or "EXPIRED":
                    return Answer(200, new JsonObject { ["status"] = "RELEASED" });
                case "RELEASE_PENDING":
                    return Answer(202, new JsonObject { ["status"] = "RELEASE_PENDING" });
            }

            var account = _accounts[hold.AccountId];
            account.HeldMicros -= hold.AmountMicros;
            if (fault?.Kind == StandInFault.Pending)
            {
                hold.State = "RELEASE_PENDING";
                hold.ConfirmAt = now + TimeSpan.FromMilliseconds(fault.DelayMs);
                _ = Task.Run(() => ConfirmLaterAsync(hold, request.IdempotencyKey), CancellationToken.None);
                return Answer(202, new JsonObject { ["status"] = "RELEASE_PENDING" });
            }

            hold.State = "RELEASED";
            _effects.Add(new StandInEffect(now, "RELEASE", holdId, request.IdempotencyKey, hold.AccountId, hold.AmountMicros));
            return Answer(200, new JsonObject { ["status"] = "RELEASED" });
        }
    }

    private async Task ConfirmLaterAsync(Hold hold, string? key)
    {
        await Task.Delay(hold.ConfirmAt!.Value - time.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, time);
        lock (_lock)
        {
            if (hold.State != "RELEASE_PENDING")
            {
                return;
            }

            hold.State = "RELEASED";
            _effects.Add(new StandInEffect(time.GetUtcNow(), "RELEASE", hold.HoldId, key, hold.AccountId, hold.AmountMicros));
        }

        if (Events is { } events)
        {
            try
            {
                await events(hold.HoldId);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // An event is a hint: the caller polls if it never arrives.
            }
        }
    }

    private StandInAnswer CaptureHold(string holdId, StandInRequest request, DateTimeOffset now)
    {
        using var body = JsonDocument.Parse(request.Body);
        var captureId = Text(body.RootElement, "captureId");
        var amount = Amount(body.RootElement, "amountMicros");
        lock (_lock)
        {
            if (!_holds.TryGetValue(holdId, out var hold) || hold.State == "DECLINED")
            {
                return Error(404, "unknown hold");
            }

            var state = StateOf(hold);
            if (state == "CAPTURED")
            {
                return hold.CaptureId == captureId ? Answer(200, new JsonObject { ["status"] = "CAPTURED" }) : Answer(409, new JsonObject { ["status"] = "CAPTURED" });
            }

            if (state != "HELD")
            {
                return Answer(409, new JsonObject { ["status"] = state == "RELEASE_PENDING" ? "RELEASED" : state });
            }

            if (amount > hold.AmountMicros)
            {
                return Error(400, "the amount exceeds the hold");
            }

            Capture(hold, captureId, amount, request.IdempotencyKey);
            return Answer(200, new JsonObject { ["status"] = "CAPTURED" });
        }
    }

    private void Capture(Hold hold, string captureId, long amount, string? key)
    {
        var account = _accounts[hold.AccountId];
        account.HeldMicros -= hold.AmountMicros;
        account.BalanceMicros -= amount;
        hold.State = "CAPTURED";
        hold.CaptureId = captureId;
        hold.CapturedMicros = amount;
        _effects.Add(new StandInEffect(time.GetUtcNow(), "CAPTURE", hold.HoldId, key, hold.AccountId, amount));
    }

    private StandInAnswer MakeRefund(StandInRequest request, DateTimeOffset now)
    {
        using var body = JsonDocument.Parse(request.Body);
        var refundId = Text(body.RootElement, "refundId");
        var captureId = Text(body.RootElement, "captureId");
        var amount = Amount(body.RootElement, "amountMicros");
        lock (_lock)
        {
            if (_refunds.TryGetValue(refundId, out var known))
            {
                return RefundAnswer(known);
            }

            var hold = _holds.Values.FirstOrDefault(h => h.CaptureId == captureId);
            if (hold is null)
            {
                return Error(404, "unknown capture");
            }

            var refunded = _refunds.Values.Where(r => r.CaptureId == captureId && r.Status == "REFUNDED").Sum(r => r.AmountMicros);
            if (amount > hold.CapturedMicros - refunded)
            {
                return Error(400, "the amount exceeds what the capture has left");
            }

            var account = _accounts[hold.AccountId];
            var reason = account.Status == AccountStatus.Closed ? "ACCOUNT_CLOSED" : account.Status == AccountStatus.OnHold ? "ACCOUNT_ON_HOLD" : null;
            var refund = new RefundRecord(refundId, captureId, amount, reason is null ? "REFUNDED" : "DECLINED", reason);
            _refunds[refundId] = refund;
            if (reason is null)
            {
                account.BalanceMicros += amount;
                _effects.Add(new StandInEffect(now, "REFUND", refundId, request.IdempotencyKey, hold.AccountId, amount));
            }

            return RefundAnswer(refund);
        }
    }

    private StandInAnswer ReadHold(string holdId, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _holds.TryGetValue(holdId, out var hold) ? HoldAnswer(hold, now) : Error(404, "never received");
        }
    }

    private StandInAnswer ReadRefund(string refundId)
    {
        lock (_lock)
        {
            return _refunds.TryGetValue(refundId, out var refund) ? RefundAnswer(refund) : Error(404, "never received");
        }
    }

    private StandInAnswer ReadAccount(string accountId)
    {
        lock (_lock)
        {
            return _accounts.TryGetValue(accountId, out var account) ? Answer(200, AccountJson(account)) : Error(404, "unknown account");
        }
    }

    private StandInAnswer ReadAccountsOf(string customerId, string? query)
    {
        var currency = query?.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "currencyCode") is [_, var value]
            ? Uri.UnescapeDataString(value)
            : null;
        lock (_lock)
        {
            var accounts = _accounts.Values
                .Where(a => a.CustomerId == customerId && (currency is null || a.CurrencyCode == currency))
                .OrderBy(a => a.AccountId, StringComparer.Ordinal)
                .Select(a => (JsonNode)AccountJson(a));
            return Answer(200, new JsonObject { ["accounts"] = new JsonArray([.. accounts]) });
        }
    }

    private StandInAnswer HoldAnswer(Hold hold, DateTimeOffset now)
    {
        var answer = new JsonObject { ["holdId"] = hold.HoldId, ["status"] = StateOf(hold, now) };
        if (hold.Reason is { } reason)
        {
            answer["reason"] = reason;
        }

        return Answer(200, answer);
    }

    private static StandInAnswer RefundAnswer(RefundRecord refund)
    {
        var answer = new JsonObject { ["refundId"] = refund.RefundId, ["status"] = refund.Status };
        if (refund.Reason is { } reason)
        {
            answer["reason"] = reason;
        }

        return Answer(200, answer);
    }

    private string StateOf(Hold hold) => StateOf(hold, time.GetUtcNow());

    private static string StateOf(Hold hold, DateTimeOffset now) => hold.State == "HELD" && hold.ExpiresAt <= now ? "EXPIRED" : hold.State;

    private static JsonObject AccountJson(Account account)
    {
        var json = new JsonObject
        {
            ["accountId"] = account.AccountId,
            ["currencyCode"] = account.CurrencyCode,
            ["status"] = account.Status.Wire,
            ["availableMicros"] = Micros(account.AvailableMicros),
        };
        if (account.LimitMicros is { } limit)
        {
            json["transactionLimitMicros"] = Micros(limit);
        }

        return json;
    }

    private static string OperationOf(StandInRequest request) => request.Path.Trim('/').Split('/') switch
    {
        ["holds"] => "hold",
        ["holds", _, "release"] => "release",
        ["holds", _, "capture"] => "capture",
        ["refunds"] => "refund",
        ["holds" or "refunds", _] => "check",
        _ => "account",
    };

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name).GetString() is { Length: > 0 } text ? text : throw new FormatException($"{name} is empty");

    private static long Amount(JsonElement root, string name)
    {
        var text = Text(root, name);
        return text.All(char.IsAsciiDigit) && long.Parse(text, CultureInfo.InvariantCulture) is > 0 and var micros
            ? micros
            : throw new FormatException($"{name} must be a positive number of micros as a decimal string");
    }

    /// <summary>The armed faults as the stand-ins' pages show them.</summary>
    public static JsonArray FaultsJson(StandInFaults faults) =>
        new([.. faults.Armed.Select(f => (JsonNode)new JsonObject
        {
            ["kind"] = f.Kind,
            ["operation"] = f.Operation,
            ["count"] = f.Count,
            ["until"] = f.Until?.ToString("O", CultureInfo.InvariantCulture),
            ["delayMs"] = f.DelayMs,
        })]);

    private static string Rewrite(string body, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    private static void WrongIds(JsonObject json)
    {
        foreach (var name in new[] { "holdId", "refundId" })
        {
            if (json[name] is { } id)
            {
                json[name] = "other-" + id.GetValue<string>();
            }
        }
    }

    private static string Micros(long micros) => micros.ToString(CultureInfo.InvariantCulture);

    private static StandInAnswer Answer(int status, JsonObject body) => new(status, body.ToJsonString());

    private static StandInAnswer Error(int status, string message) => Answer(status, new JsonObject { ["error"] = message });

    private sealed class Account(string accountId, string currencyCode, string? customerId)
    {
        public string AccountId { get; } = accountId;

        public string CurrencyCode { get; } = currencyCode;

        public string? CustomerId { get; } = customerId;

        public AccountStatus Status { get; set; }

        public long BalanceMicros { get; set; }

        public long HeldMicros { get; set; }

        public long? LimitMicros { get; set; }

        public long AvailableMicros => BalanceMicros - HeldMicros;
    }

    private sealed class Hold(string holdId, string accountId, long amountMicros, DateTimeOffset placedAt, DateTimeOffset expiresAt)
    {
        public string HoldId { get; } = holdId;

        public string AccountId { get; } = accountId;

        public long AmountMicros { get; } = amountMicros;

        public DateTimeOffset PlacedAt { get; } = placedAt;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public required string State { get; set; }

        public string? Reason { get; init; }

        public string? CaptureId { get; set; }

        public long CapturedMicros { get; set; }

        public DateTimeOffset? ConfirmAt { get; set; }
    }

    private sealed record RefundRecord(string RefundId, string CaptureId, long AmountMicros, string Status, string? Reason);

    private sealed class InProcessHandler(StandInCore core, string basePath) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var path = uri.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal) ? uri.AbsolutePath[basePath.Length..] : uri.AbsolutePath;
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var answer = await core.HandleAsync(
                new StandInRequest(
                    request.Method.Method,
                    path,
                    uri.Query,
                    request.Headers.Authorization?.ToString(),
                    request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.FirstOrDefault() : null,
                    body),
                cancellationToken);
            if (answer.Lost)
            {
                throw new HttpRequestException("The connection was reset (stand-in: answer lost).");
            }

            return new HttpResponseMessage((System.Net.HttpStatusCode)answer.Status)
            {
                Content = new StringContent(answer.Body, Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
        }
    }
}
