using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrator.Core.Backend.Mollie;

namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// Mollie's Payments API v2, as far as Integrator calls it (docs/mollie.md), in memory: customers with card mandates,
/// payments with <c>captureMode: manual</c> authorized on a mandate, release-authorization (202, the payment turning
/// <c>canceled</c> a moment later), captures, refunds, and the list endpoints. It honours <c>Idempotency-Key</c> as
/// Mollie documents it (the first answer replayed for an hour, <c>Idempotent-Replayed: true</c>; the same key with other
/// parameters 400), calls the payment's <c>webhookUrl</c> with <c>id=tr_…</c> when a status changes, counts every effect,
/// keeps the last calls with their bodies, and plays faults (<see cref="StandInFault"/>): Development uses it with zero
/// configuration (<c>Backend:Provider=Mollie</c>, <c>/dev/mollie</c>) and the tests as Mollie.
/// </summary>
public sealed class StandInMollie(TimeProvider time)
{
    /// <summary>Where Integrator's in-process client reaches it in Development (never the network).</summary>
    public const string BaseUrl = "http://mollie-stand-in.invalid/v2";

    private const int Kept = 200;
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Mandate>> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Payment> _payments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Request, StandInAnswer Answer, DateTimeOffset At)> _keys = new(StringComparer.Ordinal);
    private readonly List<StandInEffect> _effects = [];
    private readonly ConcurrentQueue<StandInCall> _calls = new();
    private int _next;

    /// <summary>If set, every call must carry <c>Authorization: Bearer {RequiredKey}</c> (else 401).</summary>
    public string? RequiredKey { get; set; }

    /// <summary>How long a release takes before the payment reads <c>canceled</c> (Mollie's release is asynchronous).</summary>
    public TimeSpan ReleaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Told a webhook: the payment's webhookUrl and its id (form field <c>id</c>); null: nobody is called.</summary>
    public Func<string, string, Task>? Webhooks { get; set; }

    public StandInFaults Faults { get; } = new(time);

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

    /// <summary>The last calls received, newest first, with their bodies.</summary>
    public IReadOnlyList<StandInCall> Calls => [.. _calls.Reverse()];

    /// <summary>
    /// Gives <paramref name="customerId"/> a card mandate. <paramref name="limitMicros"/>: payments above it fail
    /// (<c>insufficient_funds</c>); <paramref name="failureReason"/>: every payment on it fails so.
    /// </summary>
    public void AddMandate(
        string customerId, string mandateId, string cardLabel = "Visa", string cardNumber = "4242", bool valid = true, long? limitMicros = null, string? failureReason = null)
    {
        lock (_lock)
        {
            if (!_customers.TryGetValue(customerId, out var mandates))
            {
                _customers[customerId] = mandates = [];
            }

            mandates.RemoveAll(m => m.Id == mandateId);
            mandates.Add(new Mandate(mandateId, cardLabel, cardNumber, valid, limitMicros, failureReason));
        }
    }

    /// <summary>Refunds of this customer's payments fail from now on (or work again).</summary>
    public void FailRefunds(string customerId, bool fail)
    {
        lock (_lock)
        {
            foreach (var mandate in _customers.GetValueOrDefault(customerId) ?? [])
            {
                mandate.RefundsFail = fail;
            }
        }
    }

    /// <summary>The merchant captures the payment in Mollie's dashboard: a release of it is then refused.</summary>
    public bool CaptureOutside(string paymentId)
    {
        lock (_lock)
        {
            if (!_payments.TryGetValue(paymentId, out var payment) || payment.Status != "authorized")
            {
                return false;
            }

            payment.Status = "paid";
            payment.CapturedMicros = payment.AmountMicros;
            return true;
        }
    }

    /// <summary>The payment made for a hold (its metadata's holdId), if any.</summary>
    public string? PaymentOf(string holdId)
    {
        lock (_lock)
        {
            return _payments.Values.FirstOrDefault(p => p.Metadata?["holdId"]?.GetValue<string>() == holdId)?.Id;
        }
    }

    public string? StatusOf(string paymentId)
    {
        lock (_lock)
        {
            return _payments.GetValueOrDefault(paymentId)?.Status;
        }
    }

    /// <summary>Calls the payment's webhook now, whether or not anything changed (Mollie's webhook says only "look").</summary>
    public async Task SendWebhookAsync(string paymentId)
    {
        string? url;
        lock (_lock)
        {
            url = _payments.GetValueOrDefault(paymentId)?.WebhookUrl;
        }

        if (url is not null && Webhooks is { } webhooks)
        {
            await webhooks(url, paymentId);
        }
    }

    /// <summary>Everything it holds, as <c>GET /dev/mollie</c> shows it.</summary>
    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["customers"] = new JsonArray([.. _customers.Select(c => (JsonNode)new JsonObject
                {
                    ["customerId"] = c.Key,
                    ["mandates"] = new JsonArray([.. c.Value.Select(m => (JsonNode)MandateJson(m))]),
                })]),
                ["payments"] = new JsonArray([.. _payments.Values.OrderBy(p => p.CreatedAt).Select(p => (JsonNode)new JsonObject
                {
                    ["id"] = p.Id,
                    ["status"] = p.Status,
                    ["amount"] = AmountJson(p.AmountMicros, p.Currency),
                    ["customerId"] = p.CustomerId,
                    ["mandateId"] = p.MandateId,
                    ["holdId"] = p.Metadata?["holdId"]?.DeepClone(),
                })]),
                ["faults"] = StandInCore.FaultsJson(Faults),
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

    /// <summary>Handles one call; never throws for what the caller sent.</summary>
    public async Task<StandInAnswer> HandleAsync(StandInRequest request, CancellationToken ct)
    {
        var operation = OperationOf(request);
        var fault = Faults.Take(operation);
        StandInAnswer answer;
        if (RequiredKey is { } key && request.Authorization != $"Bearer {key}")
        {
            answer = Error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate");
        }
        else if (fault?.Kind == StandInFault.Unavailable)
        {
            answer = Error(503, "Service Unavailable", "The stand-in is unavailable (fault)");
        }
        else if (fault?.Kind == StandInFault.Reject)
        {
            answer = Error(400, "Bad Request", "The stand-in refuses this request (fault)");
        }
        else
        {
            answer = request.Method == "POST" && request.IdempotencyKey is { } idempotencyKey
                ? Idempotent(idempotencyKey, request, () => Route(request, fault))
                : Route(request, fault);
            answer = fault?.Kind switch
            {
                StandInFault.Lose => answer with { Lost = true },
                StandInFault.Malformed => answer with { Body = "{\"resource\": \"payment\"" },
                StandInFault.UnknownStatus => answer with { Body = Rewrite(answer.Body, json => json["status"] = "maybe") },
                StandInFault.WrongId => answer with { Body = Rewrite(answer.Body, json => json["metadata"] = new JsonObject { ["holdId"] = "another-hold" }) },
                StandInFault.Huge => answer with { Body = "{\"padding\": \"" + new string('x', 1024 * 1024) + "\"}" },
                _ => answer,
            };
        }

        _calls.Enqueue(new StandInCall(time.GetUtcNow(), request.Method, request.Path, request.IdempotencyKey, answer.Lost ? 0 : answer.Status, fault?.Kind)
        {
            Body = request.Body.Length == 0 ? null : Encoding.UTF8.GetString(request.Body),
        });
        while (_calls.Count > Kept && _calls.TryDequeue(out _))
        {
        }

        if (fault?.Kind == StandInFault.Slow)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), time, CancellationToken.None);
        }

        return answer;
    }

    /// <summary>The handler behind an HttpClient that talks to this stand-in in-process (Development).</summary>
    public HttpMessageHandler Handler() => new InProcessHandler(this);

    private StandInAnswer Idempotent(string key, StandInRequest request, Func<StandInAnswer> run)
    {
        var signature = $"{request.Method} {request.Path} {Encoding.UTF8.GetString(request.Body)}";
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_keys.TryGetValue(key, out var earlier) && now - earlier.At < KeyLifetime)
            {
                return earlier.Request == signature
                    ? earlier.Answer with { Replayed = true }
                    : Error(400, "Bad Request", "The idempotency key was used for another request");
            }

            var answer = run();
            if (answer.Status < 500)
            {
                _keys[key] = (signature, answer, now);
            }

            return answer;
        }
    }

    private StandInAnswer Route(StandInRequest request, StandInFault? fault)
    {
        var segments = request.Path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        try
        {
            lock (_lock)
            {
                return (request.Method, segments) switch
                {
                    ("POST", ["payments"]) => CreatePayment(request, fault),
                    ("GET", ["payments", var id]) => Found(id, p => Answer(200, PaymentJson(p))),
                    ("POST", ["payments", var id, "release-authorization"]) => Found(id, p => Release(p, request.IdempotencyKey, fault)),
                    ("POST", ["payments", var id, "captures"]) => Found(id, p => Capture(p, request)),
                    ("POST", ["payments", var id, "refunds"]) => Found(id, p => Refund(p, request)),
                    ("GET", ["payments", var id, "refunds"]) => Found(id, p => List("refunds", p.Refunds.Select(r => r.Json))),
                    ("GET", ["customers", var id, "payments"]) => List("payments", _payments.Values.Where(p => p.CustomerId == id).OrderByDescending(p => p.CreatedAt).Select(PaymentJson)),
                    ("GET", ["customers", var id, "mandates"]) => _customers.TryGetValue(id, out var mandates)
                        ? List("mandates", mandates.Select(MandateJson))
                        : Error(404, "Not Found", $"No customer exists with token {id}."),
                    ("GET", ["customers", var id, "mandates", var mandateId]) =>
                        (_customers.GetValueOrDefault(id) ?? []).FirstOrDefault(m => m.Id == mandateId) is { } mandate
                            ? Answer(200, MandateJson(mandate))
                            : Error(404, "Not Found", $"No mandate exists with token {mandateId}."),
                    _ => Error(404, "Not Found", $"The stand-in has no {request.Method} {request.Path}"),
                };
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
        {
            return Error(422, "Unprocessable Entity", $"The request is not one Mollie accepts: {e.Message}");
        }
    }

    private StandInAnswer CreatePayment(StandInRequest request, StandInFault? fault)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var currency = body["amount"]!["currency"]!.GetValue<string>();
        var micros = MollieAmount.Micros(body["amount"]!["value"]!.GetValue<string>(), currency)
            ?? throw new FormatException($"amount.value must have the decimals of {currency}");
        if (body["description"]?.GetValue<string>() is not { Length: > 0 and <= 255 } description)
        {
            return Error(422, "Unprocessable Entity", "The description is invalid", "description");
        }

        var customerId = body["customerId"]?.GetValue<string>();
        var mandateId = body["mandateId"]?.GetValue<string>();
        if (body["sequenceType"]?.GetValue<string>() != "recurring" || body["captureMode"]?.GetValue<string>() != "manual")
        {
            return Error(422, "Unprocessable Entity", "The stand-in takes recurring payments with captureMode manual only", "sequenceType");
        }

        if (customerId is null || !_customers.TryGetValue(customerId, out var mandates))
        {
            return Error(422, "Unprocessable Entity", "The customer does not exist", "customerId");
        }

        if (mandates.FirstOrDefault(m => m.Id == mandateId) is not { Valid: true } mandate)
        {
            return Error(422, "Unprocessable Entity", "The mandate is not valid", "mandateId");
        }

        var payment = new Payment($"tr_{Next()}", customerId, mandateId!, micros, currency, description, time.GetUtcNow())
        {
            Metadata = body["metadata"]?.DeepClone() as JsonObject,
            WebhookUrl = body["webhookUrl"]?.GetValue<string>(),
            FailureReason = mandate.FailureReason ?? (micros > mandate.LimitMicros ? "insufficient_funds" : null),
        };
        payment.Status = payment.FailureReason is not null ? "failed" : fault?.Kind == StandInFault.Pending ? "pending" : "authorized";
        _payments[payment.Id] = payment;
        if (payment.Status == "authorized")
        {
            _effects.Add(new StandInEffect(payment.CreatedAt, "HOLD", payment.Id, request.IdempotencyKey, mandate.Id, micros));
        }
        else if (payment.Status == "pending")
        {
            Later(TimeSpan.FromMilliseconds(fault!.DelayMs), payment, "pending", "authorized", "HOLD", request.IdempotencyKey);
        }

        return Answer(201, PaymentJson(payment));
    }

    private StandInAnswer Release(Payment payment, string? key, StandInFault? fault)
    {
        if (payment.Status != "authorized")
        {
            return Error(422, "Unprocessable Entity", "Authorization cannot be released because the payment is not in the authorized state.");
        }

        if (!payment.Releasing)
        {
            payment.Releasing = true;
            Later(fault?.Kind == StandInFault.Pending ? TimeSpan.FromMilliseconds(fault.DelayMs) : ReleaseDelay, payment, "authorized", "canceled", "RELEASE", key);
        }

        return Answer(202, []);
    }

    private StandInAnswer Capture(Payment payment, StandInRequest request)
    {
        var body = JsonNode.Parse(request.Body.Length == 0 ? "{}"u8.ToArray() : request.Body)!.AsObject();
        var micros = body["amount"] is { } amount
            ? MollieAmount.Micros(amount["value"]!.GetValue<string>(), payment.Currency) ?? throw new FormatException("amount.value")
            : payment.AmountMicros;
        if (payment.Status != "authorized" || payment.Releasing)
        {
            return Error(422, "Unprocessable Entity", $"The payment cannot be captured: it is {payment.Status}.");
        }

        if (micros > payment.AmountMicros)
        {
            return Error(422, "Unprocessable Entity", "The capture amount is higher than the authorized amount.", "amount");
        }

        payment.Status = "paid";
        payment.CapturedMicros = micros;
        var id = $"cpt_{Next()}";
        _effects.Add(new StandInEffect(time.GetUtcNow(), "CAPTURE", payment.Id, request.IdempotencyKey, payment.MandateId, micros));
        Notify(payment);
        return Answer(201, new JsonObject
        {
            ["resource"] = "capture",
            ["id"] = id,
            ["mode"] = "test",
            ["amount"] = AmountJson(micros, payment.Currency),
            ["status"] = "succeeded",
            ["paymentId"] = payment.Id,
            ["metadata"] = body["metadata"]?.DeepClone(),
            ["createdAt"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
        });
    }

    private StandInAnswer Refund(Payment payment, StandInRequest request)
    {
        var body = JsonNode.Parse(request.Body)!.AsObject();
        var micros = MollieAmount.Micros(body["amount"]!["value"]!.GetValue<string>(), payment.Currency) ?? throw new FormatException("amount.value");
        var refunded = payment.Refunds.Where(r => r.Status != "failed").Sum(r => r.Micros);
        if (payment.Status != "paid" || micros > payment.CapturedMicros - refunded)
        {
            return Error(422, "Unprocessable Entity", "The amount is higher than the amount that can be refunded.", "amount");
        }

        var fails = (_customers.GetValueOrDefault(payment.CustomerId) ?? []).Any(m => m.Id == payment.MandateId && m.RefundsFail);
        var refund = new RefundRecord($"re_{Next()}", micros, fails ? "failed" : "pending");
        refund.Json = new JsonObject
        {
            ["resource"] = "refund",
            ["id"] = refund.Id,
            ["mode"] = "test",
            ["amount"] = AmountJson(micros, payment.Currency),
            ["status"] = refund.Status,
            ["paymentId"] = payment.Id,
            ["metadata"] = body["metadata"]?.DeepClone(),
            ["createdAt"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
        };
        payment.Refunds.Add(refund);
        if (!fails)
        {
            _effects.Add(new StandInEffect(time.GetUtcNow(), "REFUND", refund.Id, request.IdempotencyKey, payment.MandateId, micros));
        }

        return Answer(201, refund.Json);
    }

    /// <summary>A status that changes a moment later (an authorization settling, a release going through), then its webhook.</summary>
    private void Later(TimeSpan delay, Payment payment, string from, string to, string effect, string? key) =>
        _ = Task.Run(
            async () =>
            {
                await Task.Delay(delay, time);
                lock (_lock)
                {
                    if (payment.Status != from)
                    {
                        return;
                    }

                    payment.Status = to;
                    _effects.Add(new StandInEffect(time.GetUtcNow(), effect, payment.Id, key, payment.MandateId, payment.AmountMicros));
                }

                await SendWebhookAsync(payment.Id);
            },
            CancellationToken.None);

    private void Notify(Payment payment) => _ = Task.Run(() => SendWebhookAsync(payment.Id), CancellationToken.None);

    private StandInAnswer Found(string id, Func<Payment, StandInAnswer> then) =>
        _payments.TryGetValue(id, out var payment) ? then(payment) : Error(404, "Not Found", $"No payment exists with token {id}.");

    private string Next() => Interlocked.Increment(ref _next).ToString("x8", CultureInfo.InvariantCulture);

    private static JsonObject PaymentJson(Payment p)
    {
        var json = new JsonObject
        {
            ["resource"] = "payment",
            ["id"] = p.Id,
            ["mode"] = "test",
            ["createdAt"] = p.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
            ["amount"] = AmountJson(p.AmountMicros, p.Currency),
            ["description"] = p.Description,
            ["method"] = "creditcard",
            ["metadata"] = p.Metadata?.DeepClone(),
            ["status"] = p.Status,
            ["captureMode"] = "manual",
            ["sequenceType"] = "recurring",
            ["customerId"] = p.CustomerId,
            ["mandateId"] = p.MandateId,
        };
        if (p.CapturedMicros > 0)
        {
            json["amountCaptured"] = AmountJson(p.CapturedMicros, p.Currency);
        }

        if (p.FailureReason is { } reason)
        {
            json["details"] = new JsonObject { ["failureReason"] = reason };
        }

        if (p.WebhookUrl is { } webhook)
        {
            json["webhookUrl"] = webhook;
        }

        return json;
    }

    private static JsonObject MandateJson(Mandate m) => new()
    {
        ["resource"] = "mandate",
        ["id"] = m.Id,
        ["mode"] = "test",
        ["status"] = m.Valid ? "valid" : "invalid",
        ["method"] = "creditcard",
        ["details"] = new JsonObject { ["cardHolder"] = "Card holder", ["cardNumber"] = m.CardNumber, ["cardLabel"] = m.CardLabel },
    };

    private static JsonObject AmountJson(long micros, string currency) =>
        new() { ["currency"] = currency, ["value"] = MollieAmount.Value(micros, currency) };

    private static StandInAnswer List(string name, IEnumerable<JsonObject> items)
    {
        var array = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]);
        return Answer(200, new JsonObject { ["count"] = array.Count, ["_embedded"] = new JsonObject { [name] = array } });
    }

    private static string OperationOf(StandInRequest request) => (request.Method, request.Path.Trim('/').Split('/')) switch
    {
        ("POST", ["payments"]) => "hold",
        ("POST", [_, _, "release-authorization"]) => "release",
        ("POST", [_, _, "captures"]) => "capture",
        ("POST", [_, _, "refunds"]) => "refund",
        (_, ["customers", _, "mandates", ..]) => "account",
        _ => "check",
    };

    private static string Rewrite(string body, Action<JsonObject> change)
    {
        if (JsonNode.Parse(body) is not JsonObject json)
        {
            return body;
        }

        change(json);
        return json.ToJsonString();
    }

    private static StandInAnswer Answer(int status, JsonObject body) => new(status, body.ToJsonString());

    private static StandInAnswer Error(int status, string title, string detail, string? field = null)
    {
        var json = new JsonObject { ["status"] = status, ["title"] = title, ["detail"] = detail };
        if (field is not null)
        {
            json["field"] = field;
        }

        json["_links"] = new JsonObject { ["documentation"] = new JsonObject { ["href"] = "https://docs.mollie.com/errors", ["type"] = "text/html" } };
        return Answer(status, json);
    }

    private sealed class Mandate(string id, string cardLabel, string cardNumber, bool valid, long? limitMicros, string? failureReason)
    {
        public string Id { get; } = id;

        public string CardLabel { get; } = cardLabel;

        public string CardNumber { get; } = cardNumber;

        public bool Valid { get; } = valid;

        public long? LimitMicros { get; } = limitMicros;

        public string? FailureReason { get; } = failureReason;

        public bool RefundsFail { get; set; }
    }

    private sealed class Payment(string id, string customerId, string mandateId, long amountMicros, string currency, string description, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;

        public string CustomerId { get; } = customerId;

        public string MandateId { get; } = mandateId;

        public long AmountMicros { get; } = amountMicros;

        public string Currency { get; } = currency;

        public string Description { get; } = description;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string Status { get; set; } = "open";

        public bool Releasing { get; set; }

        public long CapturedMicros { get; set; }

        public JsonObject? Metadata { get; init; }

        public string? WebhookUrl { get; init; }

        public string? FailureReason { get; init; }

        public List<RefundRecord> Refunds { get; } = [];
    }

    private sealed class RefundRecord(string id, long micros, string status)
    {
        public string Id { get; } = id;

        public long Micros { get; } = micros;

        public string Status { get; } = status;

        public JsonObject Json { get; set; } = [];
    }

    private sealed class InProcessHandler(StandInMollie mollie) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            const string prefix = "/v2";
            var path = uri.AbsolutePath.StartsWith(prefix, StringComparison.Ordinal) ? uri.AbsolutePath[prefix.Length..] : uri.AbsolutePath;
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var answer = await mollie.HandleAsync(
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

            var response = new HttpResponseMessage((System.Net.HttpStatusCode)answer.Status)
            {
                Content = new StringContent(answer.Body, Encoding.UTF8, "application/hal+json"),
                RequestMessage = request,
            };
            if (answer.Replayed)
            {
                response.Headers.Add("Idempotent-Replayed", "true");
            }

            return response;
        }
    }
}
