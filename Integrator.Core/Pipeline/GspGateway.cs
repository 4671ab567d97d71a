using System.Text;
using Google.Protobuf;
using Integrator.Core.Cancellation;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Idempotency;
using Integrator.Core.Journal;
using Integrator.Core.Redirect;
using Integrator.Core.Refunds;
using Integrator.Core.Remittance;
using Integrator.Core.Reservations;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Pipeline;

/// <summary>What goes back to Google: status, Content-Type and the (sealed) body.</summary>
public sealed record GspReply(int StatusCode, string ContentType, byte[] Body);

/// <summary>
/// The Google-facing entry point. Each call is opened by the message codec, parsed, checked in docs/gsp-rules.md §2 order,
/// run at most once per idempotency key, journaled, and answered through the codec. Errors are answered as
/// <c>ErrorResponse</c> and never remembered.
/// </summary>
public sealed partial class GspGateway(
    IMessageCodec codec,
    RequestChecks checks,
    IdempotentExecutor executor,
    RequestJournal journal,
    ReserveFundsHandler reserveFunds,
    CaptureFundsHandler captureFunds,
    CancelFundsHandler cancelFunds,
    RefundHandler refund,
    StatementNotificationHandler statementNotification,
    RedirectStatusHandler redirectStatus,
    Database database,
    GspMetrics metrics,
    TimeProvider time,
    ILogger<GspGateway> logger)
{
    private const string PlainJson = "application/json; charset=utf-8";

    public Task<GspReply> EchoAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        HandleAsync(GspMethods.Echo, call =>
        {
            var (request, error) = Open<EchoRequest>(call, body, contentType);

            // Echo changes nothing and is not journaled unless it is rejected.
            return Task.FromResult(error is not null
                ? Reject(call, error)
                : Answer(call, new EchoResponse
                {
                    ResponseHeader = new ResponseHeader { ResponseTimestamp = Now() },
                    ClientMessage = request!.ClientMessage,
                    ServerMessage = "Integrator",
                }));
        }, ct);

    public Task<GspReply> ReserveFundsAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<ReserveFundsRequest, ReserveFundsResponse>(
            GspMethods.ReserveFunds, body, contentType, reserveFunds, ct);

    public Task<GspReply> CaptureFundsReservationAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<CaptureFundsReservationRequest, CaptureFundsReservationResponse>(
            GspMethods.CaptureFundsReservation, body, contentType, captureFunds, ct);

    public Task<GspReply> CancelFundsReservationAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<CancelFundsReservationRequest, CancelFundsReservationResponse>(
            GspMethods.CancelFundsReservation, body, contentType, cancelFunds, ct);

    public Task<GspReply> RefundAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<RefundRequest, RefundResponse>(GspMethods.Refund, body, contentType, refund, ct);

    public Task<GspReply> GetGeneratePaymentTokenRedirectStatusAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<GetGeneratePaymentTokenRedirectStatusRequest, GetGeneratePaymentTokenRedirectStatusResponse>(
            GspMethods.GetGeneratePaymentTokenRedirectStatus, body, contentType, redirectStatus, ct);

    public Task<GspReply> RemittanceStatementNotificationAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken ct) =>
        ExecuteAsync<RemittanceStatementNotificationRequest, RemittanceStatementNotificationResponse>(
            GspMethods.RemittanceStatementNotification, body, contentType, statementNotification, ct);

    /// <summary>A call refused before its body is opened (too large, wrong credentials), journaled like any refusal.</summary>
    public Task<GspReply> RefuseAsync(string method, GspError error, CancellationToken ct) =>
        HandleAsync(method, call => Task.FromResult(Reject(call, error)), ct);

    private Task<GspReply> ExecuteAsync<TRequest, TResponse>(
        string method, ReadOnlyMemory<byte> body, string? contentType, IGspMethod<TRequest, TResponse> effect, CancellationToken ct)
        where TRequest : class, IGspRequest, IMessage<TRequest>, new()
        where TResponse : class, IGspResponse, IMessage<TResponse>, new() =>
        HandleAsync(method, async call =>
        {
            var (request, error) = Open<TRequest>(call, body, contentType);
            if (error is not null)
            {
                return Reject(call, error);
            }

            // A method without a paymentIntegratorAccountId (the redirect status) keys on its requestId alone.
            var key = new IdempotencyKey(request!.AccountId ?? string.Empty, request.RequestHeader.RequestId);
            var idempotentCall = new IdempotentCall(key, method, Fingerprint.Of(method, request), JournalEntryOf(call, 200, null, null));
            var execution = await executor.ExecuteAsync(idempotentCall, request, effect, ct);
            call.Outcome = execution.Kind switch
            {
                ExecutionKind.FirstExecution => "executed",
                ExecutionKind.Replay => "replayed",
                _ => call.Outcome,
            };
            return execution.Error is { } refusal ? Reject(call, refusal) : Answer(call, execution.Body!);
        }, ct);

    /// <summary>
    /// Runs one call; storage outages and faults become GSP errors here, in one place. Every call leaves one access-log
    /// line: method, call id, HTTP status, outcome, latency (never a body or a token).
    /// </summary>
    private async Task<GspReply> HandleAsync(string method, Func<Call, Task<GspReply>> handle, CancellationToken ct)
    {
        var call = new Call(method, Ids.New(), Now());
        var started = time.GetTimestamp();
        using var span = Telemetry.Source.StartActivity($"gsp {method}", System.Diagnostics.ActivityKind.Server);
        span?.SetTag("gsp.method", method);
        span?.SetTag("gsp.call_id", call.CallId);
        GspReply reply;
        try
        {
            reply = await handle(call);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var fault = database.Classify(e);
            if (fault is StorageFault.Unavailable or StorageFault.Conflict)
            {
                LogStorageFault(logger, method, call.CallId, fault, e.Message);
                reply = Reject(call, fault == StorageFault.Conflict ? GspError.Conflict() : GspError.Unavailable());
            }
            else
            {
                LogFault(logger, e, method, call.CallId);
                reply = Reject(call, GspError.Internal());
            }
        }

        var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
        span?.SetTag("gsp.outcome", call.Outcome);
        span?.SetTag("http.response.status_code", reply.StatusCode);
        metrics.Record(method, call.Outcome, reply.StatusCode, elapsed);
        LogCall(logger, method, call.CallId, reply.StatusCode, call.Outcome, (long)elapsed);
        return reply;
    }

    private (TRequest? Request, GspError? Error) Open<TRequest>(Call call, ReadOnlyMemory<byte> body, string? contentType)
        where TRequest : class, IGspRequest, IMessage<TRequest>, new()
    {
        var opened = codec.Open(body.Span, contentType);
        if (opened.Error is { } authenticationError)
        {
            return (null, authenticationError);
        }

        call.Authenticated = true;
        if (!GspJson.TryParse<TRequest>(opened.Json, out var request))
        {
            return (null, GspError.InvalidDecryptedRequest());
        }

        if (request is IKeepsReceivedJson keeper)
        {
            keeper.ReceivedJson = Encoding.UTF8.GetString(opened.Json!);
        }

        call.Request = request;
        return (request, checks.Check(request));
    }

    private GspReply Reject(Call call, GspError error)
    {
        var reply = Reply(call, error);
        call.Outcome = error.CodeName ?? "error";
        if (call.Authenticated)
        {
            journal.RecordRejected(JournalEntryOf(
                call, error.HttpStatus, GspJson.Format(error.ToResponse(call.CallId, call.ReceivedAt)), error.CodeName));
        }
        else
        {
            // Before authentication anyone can send anything: counted, not journaled one by one.
            journal.CountRefusal(call.Method, error.CodeName ?? "-", error.HttpStatus, call.CallId);
        }
        return reply;
    }

    /// <summary>
    /// An error body. Before the payload is authenticated it goes back in plaintext and says no more than its code;
    /// after, it is sealed like any response.
    /// </summary>
    private GspReply Reply(Call call, GspError error)
    {
        var json = Encoding.UTF8.GetBytes(GspJson.Format(error.ToResponse(call.CallId, Now())));
        if (!call.Authenticated)
        {
            return new GspReply(error.HttpStatus, PlainJson, json);
        }

        try
        {
            return new GspReply(error.HttpStatus, codec.ContentType, codec.Seal(json));
        }
        catch (Exception e)
        {
            // Sealing itself failed (no usable key): say only that something failed.
            LogFault(logger, e, call.Method, call.CallId);
            return new GspReply(500, PlainJson, Encoding.UTF8.GetBytes(GspJson.Format(GspError.Internal().ToResponse(call.CallId, Now()))));
        }
    }

    private GspReply Answer(Call call, IMessage response) => Answer(call, GspJson.Format(response));

    private GspReply Answer(Call call, string json) => new(200, codec.ContentType, codec.Seal(Encoding.UTF8.GetBytes(json)));

    /// <summary>The one place a journal entry is made; an executed call's body is filled in by the executor.</summary>
    private static JournalEntry JournalEntryOf(Call call, int httpStatus, string? responseBody, string? errorCode) => new(
        CallId: call.CallId,
        ReceivedAt: call.ReceivedAt,
        Method: call.Method,
        AccountId: call.Request?.AccountId,
        RequestId: call.Request?.RequestHeader?.HasRequestId == true ? call.Request.RequestHeader.RequestId : null,
        ReserveFundsRequestId: call.Request?.ReservationRequestId,
        RequestJson: call.Request is null ? null : RequestMasking.ForJournal(call.Request),
        HttpStatus: httpStatus,
        ResponseBody: responseBody,
        ErrorCode: errorCode);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>One Google call in progress; its id is the paymentIntegratorErrorIdentifier of any error.</summary>
    private sealed class Call(string method, string callId, long receivedAt)
    {
        public string Method { get; } = method;

        public string CallId { get; } = callId;

        public long ReceivedAt { get; } = receivedAt;

        public bool Authenticated { get; set; }

        public IGspRequest? Request { get; set; }

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
