using System.Collections.Frozen;
using System.Text;
using Google.Protobuf;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Pipeline;

/// <summary>What goes back to Google: status, Content-Type and the (sealed) body.</summary>
public sealed record GspReply(int StatusCode, string ContentType, byte[] Body);

/// <summary>
/// The Google-facing entry point. Each call is opened by the message codec, parsed, checked in docs/gsp-rules.md §2 order,
/// run at most once per idempotency key by its method (<see cref="GspEndpoints"/>), journaled, and answered through
/// the codec. Errors are answered as <c>ErrorResponse</c> and never remembered.
/// </summary>
public sealed partial class GspGateway(
    IMessageCodec codec,
    RequestChecks checks,
    IdempotentExecutor executor,
    RequestJournal journal,
    IEnumerable<IGspEndpoint> endpoints,
    Database database,
    GspMetrics metrics,
    TimeProvider time,
    ILogger<GspGateway> logger)
{
    private const string PlainJson = "application/json; charset=utf-8";

    private readonly FrozenDictionary<string, IGspEndpoint> _endpoints = endpoints.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="method"/> is one of ours (an unknown method path is a plain 404).</summary>
    public bool Serves(string method) => _endpoints.ContainsKey(method);

    /// <summary>Runs a call to one of the methods <see cref="Serves"/> names.</summary>
    public Task<GspReply> HandleAsync(string method, ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        _endpoints[method].HandleAsync(this, body, contentType, ct);

    /// <summary>A call refused before its body is opened (too large, wrong credentials), journaled like any refusal.</summary>
    public Task<GspReply> RefuseAsync(string method, GspError error, CancellationToken ct) =>
        HandleAsync(method, call => Task.FromResult(Reject(call, error, Opened<EchoRequest>.Refused(error))), ct);

    internal Task<GspReply> EchoAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        HandleAsync(GspMethods.Echo, call =>
        {
            var opened = Open<EchoRequest>(body, contentType);

            // Echo changes nothing and is not journaled unless it is rejected.
            return Task.FromResult(opened.Error is { } error
                ? Reject(call, error, opened)
                : Answer(new EchoResponse
                {
                    ResponseHeader = ResponseHeader.At(time.GetUtcNow()),
                    ClientMessage = opened.Request!.ClientMessage,
                    ServerMessage = "Integrator",
                }));
        }, ct);

    internal Task<GspReply> ExecuteAsync<TRequest, TResponse>(
        string method, ReadOnlyMemory<byte> body, string? contentType, IGspMethod<TRequest, TResponse> effect, CancellationToken ct)
        where TRequest : class, IGspRequest, IMessage<TRequest>, new()
        where TResponse : class, IGspResponse, IMessage<TResponse>, new() =>
        HandleAsync(method, async call =>
        {
            var opened = Open<TRequest>(body, contentType);
            if (opened.Error is { } error)
            {
                return Reject(call, error, opened);
            }

            var request = opened.Request!;

            // A method without a paymentIntegratorAccountId (the redirect status) keys on its requestId alone.
            var key = new IdempotencyKey(request.AccountId ?? string.Empty, request.RequestHeader.RequestId);
            var idempotentCall = new IdempotentCall(key, method, Fingerprint.Of(method, request), JournalEntry.Of(call.CallId, call.ReceivedAt, method, request, 200));
            Execution execution;
            try
            {
                execution = await executor.ExecuteAsync(idempotentCall, request, effect, ct);
            }
            catch (Exception e) when (AsGspError(e, call, ct) is { } fault)
            {
                return Reject(call, fault, opened);
            }

            call.Outcome = execution.Kind switch
            {
                ExecutionKind.FirstExecution => "executed",
                ExecutionKind.Replay => "replayed",
                _ => call.Outcome,
            };
            return execution.Error is { } refusal ? Reject(call, refusal, opened) : Answer(execution.Body!);
        }, ct);

    /// <summary>
    /// Runs one call; storage outages and faults become GSP errors here, in one place. Every call leaves one access-log
    /// line: method, call id, HTTP status, outcome, latency (never a body or a token).
    /// </summary>
    private async Task<GspReply> HandleAsync(string method, Func<Call, Task<GspReply>> handle, CancellationToken ct)
    {
        var call = new Call(method, Ids.New(), time.GetUtcNow());
        var started = time.GetTimestamp();
        using var span = Telemetry.Source.StartActivity($"gsp {method}", System.Diagnostics.ActivityKind.Server);
        span?.SetTag("gsp.method", method);
        span?.SetTag("gsp.call_id", call.CallId);
        GspReply reply;
        try
        {
            reply = await handle(call);
        }
        catch (Exception e) when (AsGspError(e, call, ct) is { } fault)
        {
            reply = Reject(call, fault, Opened<EchoRequest>.Refused(fault));
        }

        var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
        span?.SetTag("gsp.outcome", call.Outcome);
        span?.SetTag("http.response.status_code", reply.StatusCode);
        metrics.Record(method, call.Outcome, reply.StatusCode, elapsed);
        LogCall(logger, method, call.CallId, reply.StatusCode, call.Outcome, (long)elapsed);
        return reply;
    }

    /// <summary>
    /// A fault as the GSP error Google gets, logged here, in one place: a storage outage or conflict is retryable (503,
    /// 409), anything else 500. Null for a cancellation by the caller (the request was abandoned).
    /// </summary>
    private GspError? AsGspError(Exception exception, Call call, CancellationToken ct)
    {
        if (exception is OperationCanceledException && ct.IsCancellationRequested)
        {
            return null;
        }

        var fault = database.Classify(exception);
        if (fault is StorageFault.Unavailable or StorageFault.Conflict)
        {
            LogStorageFault(logger, call.Method, call.CallId, fault, exception.Message);
            return fault == StorageFault.Conflict ? GspError.Conflict() : GspError.Unavailable();
        }

        LogFault(logger, exception, call.Method, call.CallId);
        return GspError.Internal();
    }

    /// <summary>The body opened by the codec, parsed and checked: the request, or why it is refused.</summary>
    private Opened<TRequest> Open<TRequest>(ReadOnlyMemory<byte> body, string? contentType)
        where TRequest : class, IGspRequest, IMessage<TRequest>, new()
    {
        var opened = codec.Open(body.Span, contentType);
        if (opened.Error is { } authenticationError)
        {
            return Opened<TRequest>.Refused(authenticationError);
        }

        if (!GspJson.TryParse<TRequest>(opened.Json, out var request))
        {
            return new Opened<TRequest>(null, GspError.InvalidDecryptedRequest(), Authenticated: true);
        }

        if (request is IKeepsReceivedJson keeper)
        {
            keeper.ReceivedJson = Encoding.UTF8.GetString(opened.Json!);
        }

        return new Opened<TRequest>(request, checks.Check(request), Authenticated: true);
    }

    private GspReply Reject<TRequest>(Call call, GspError error, Opened<TRequest> opened)
        where TRequest : class, IGspRequest
    {
        call.Outcome = error.CodeName ?? "error";
        if (!opened.Authenticated)
        {
            // Before authentication anyone can send anything: counted, not journaled one by one, and answered in
            // plaintext with no more than the code.
            journal.CountRefusal(call.Method, error.CodeName ?? "-", error.HttpStatus, call.CallId);
            return new GspReply(error.HttpStatus, PlainJson, Encoding.UTF8.GetBytes(GspJson.Format(error.ToResponse(call.CallId, time.GetUtcNow()))));
        }

        var json = GspJson.Format(error.ToResponse(call.CallId, time.GetUtcNow()));
        var entry = JournalEntry.Of(call.CallId, call.ReceivedAt, call.Method, opened.Request, error.HttpStatus, json, error.CodeName);
        journal.RecordRejected(error.ReserveFundsRequestId is { } about ? entry with { ReserveFundsRequestId = about } : entry);
        try
        {
            return new GspReply(error.HttpStatus, codec.ContentType, codec.Seal(Encoding.UTF8.GetBytes(json)));
        }
        catch (Exception e)
        {
            // Sealing itself failed (no usable key): say only that something failed.
            LogFault(logger, e, call.Method, call.CallId);
            return new GspReply(500, PlainJson, Encoding.UTF8.GetBytes(GspJson.Format(GspError.Internal().ToResponse(call.CallId, time.GetUtcNow()))));
        }
    }

    private GspReply Answer(IMessage response) => Answer(GspJson.Format(response));

    private GspReply Answer(string json) => new(200, codec.ContentType, codec.Seal(Encoding.UTF8.GetBytes(json)));

    /// <summary>What opening a call's body gave: the request (when it parsed), the refusal (if any), and whether the
    /// payload was authentic (a refusal after that is sealed and journaled; one before it is only counted).</summary>
    private sealed record Opened<TRequest>(TRequest? Request, GspError? Error, bool Authenticated)
        where TRequest : class
    {
        public static Opened<TRequest> Refused(GspError error) => new(null, error, Authenticated: false);
    }

    /// <summary>One Google call in progress; its id is the paymentIntegratorErrorIdentifier of any error.</summary>
    private sealed class Call(string method, string callId, DateTimeOffset receivedAt)
    {
        public string Method { get; } = method;

        public string CallId { get; } = callId;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        /// <summary>For the access log: answered, executed, replayed, or the error code.</summary>
        public string Outcome { get; set; } = "answered";
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{Method} {CallId} {HttpStatus} {Outcome} in {ElapsedMs} ms")]
    private static partial void LogCall(ILogger logger, string method, string callId, int httpStatus, string outcome, long elapsedMs);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "{Method} {CallId} could not use the database ({Fault}): {Reason}")]
    private static partial void LogStorageFault(ILogger logger, string method, string callId, StorageFault fault, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "{Method} {CallId} failed")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, string callId);
}
