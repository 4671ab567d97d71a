using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Security;
using ResponseResult = Integrator.Core.Gsp.V1.CancelFundsReservationResultNotificationResponse.Types.CancelFundsReservationResultNotificationResultCode;

namespace Integrator.Core.Notifications;

/// <summary>
/// <c>Google:StandIn</c> (Development only, plaintext only): answers the notification calls in Google's place, inside
/// this process, as Google does — 200 with <c>result: SUCCESS</c> — and keeps the last calls for
/// <c>GET /dev/google</c>. During an outage set through <c>POST /dev/google/outage</c> it answers 503, so the outbox's
/// retries, DEAD and recovery can be watched with zero configuration.
/// </summary>
public sealed class GoogleStandIn(IMessageCodec codec, TimeProvider time)
{
    public const string BaseUrl = "http://google-stand-in.invalid/gsp";
    private const int Kept = 100;

    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private long _outageUntilMs;

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls.Reverse()];

    public DateTimeOffset? OutageUntil =>
        Interlocked.Read(ref _outageUntilMs) is var until && until > time.GetUtcNow().ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(until)
            : null;

    /// <summary>Answers 503 for <paramref name="duration"/> from now (zero ends the outage).</summary>
    public void SetOutage(TimeSpan duration) =>
        Interlocked.Exchange(ref _outageUntilMs, duration > TimeSpan.Zero ? (time.GetUtcNow() + duration).ToUnixTimeMilliseconds() : 0);

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

        var response = new CancelFundsReservationResultNotificationResponse
        {
            ResponseHeader = new ResponseHeader { ResponseTimestamp = time.GetUtcNow().ToUnixTimeMilliseconds() },
            Result = ResponseResult.Success,
        };
        var content = new ByteArrayContent(codec.Seal(Encoding.UTF8.GetBytes(GspJson.Format(response))));
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(codec.ContentType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private void Record(ReceivedCall call)
    {
        _calls.Enqueue(call);
        while (_calls.Count > Kept && _calls.TryDequeue(out _))
        {
        }
    }

    /// <summary>One call the stand-in received (the decrypted body), and what it answered.</summary>
    public sealed record ReceivedCall(DateTimeOffset ReceivedAt, string Path, string Body, int Status);

    private sealed class StandInHandler(GoogleStandIn standIn) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            standIn.AnswerAsync(request, cancellationToken);
    }
}
