using Integrator.Api.Support;
using Integrator.Core.Gsp;
using Integrator.Core.Pipeline;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>
/// The Payment-Integrator-hosted Redirect Payment Token API that Google calls, under <c>Gsp:BasePath</c>. Each action
/// reads the raw body (the message codec, not MVC, decides what it may contain) and hands it to the gateway.
/// </summary>
[Route("redirect-payment-token-v1")]
public sealed class RedirectPaymentTokenController(GspGateway gateway, GspConcurrency concurrency, IOptions<GspOptions> options) : ControllerBase
{
    [HttpPost(GspMethods.Echo)]
    public Task<IActionResult> Echo(CancellationToken ct) => RespondAsync(GspMethods.Echo, gateway.EchoAsync, ct);

    [HttpPost(GspMethods.ReserveFunds)]
    public Task<IActionResult> ReserveFunds(CancellationToken ct) =>
        RespondAsync(GspMethods.ReserveFunds, gateway.ReserveFundsAsync, ct);

    [HttpPost(GspMethods.CaptureFundsReservation)]
    public Task<IActionResult> CaptureFundsReservation(CancellationToken ct) =>
        RespondAsync(GspMethods.CaptureFundsReservation, gateway.CaptureFundsReservationAsync, ct);

    [HttpPost(GspMethods.CancelFundsReservation)]
    public Task<IActionResult> CancelFundsReservation(CancellationToken ct) =>
        RespondAsync(GspMethods.CancelFundsReservation, gateway.CancelFundsReservationAsync, ct);

    [HttpPost(GspMethods.Refund)]
    public Task<IActionResult> Refund(CancellationToken ct) => RespondAsync(GspMethods.Refund, gateway.RefundAsync, ct);

    [HttpPost(GspMethods.RemittanceStatementNotification)]
    public Task<IActionResult> RemittanceStatementNotification(CancellationToken ct) =>
        RespondAsync(GspMethods.RemittanceStatementNotification, gateway.RemittanceStatementNotificationAsync, ct);

    [HttpPost(GspMethods.GetGeneratePaymentTokenRedirectStatus)]
    public Task<IActionResult> GetGeneratePaymentTokenRedirectStatus(CancellationToken ct) =>
        RespondAsync(GspMethods.GetGeneratePaymentTokenRedirectStatus, gateway.GetGeneratePaymentTokenRedirectStatusAsync, ct);

    /// <summary>Any other HTTP method on a GSP method's path: a GSP 405, not MVC's empty one.</summary>
    [NotPost(GspMethods.Echo)]
    [NotPost(GspMethods.ReserveFunds)]
    [NotPost(GspMethods.CaptureFundsReservation)]
    [NotPost(GspMethods.CancelFundsReservation)]
    [NotPost(GspMethods.Refund)]
    [NotPost(GspMethods.RemittanceStatementNotification)]
    [NotPost(GspMethods.GetGeneratePaymentTokenRedirectStatus)]
    public async Task<IActionResult> NotPost(CancellationToken ct)
    {
        var path = Request.Path.Value!;
        Response.Headers.Allow = "POST";
        return new GspReplyResult(await gateway.RefuseAsync(path[(path.LastIndexOf('/') + 1)..], GspError.MethodNotAllowed(Request.Method), ct));
    }

    private async Task<IActionResult> RespondAsync(
        string method, Func<ReadOnlyMemory<byte>, string?, CancellationToken, Task<GspReply>> handle, CancellationToken ct)
    {
        if (Request.Headers.ContainsKey(SupportApiKey.Header))
        {
            return new GspReplyResult(await gateway.RefuseAsync(method, GspError.ApiKeyRefused(), ct));
        }

        // The address's place first and the processing slot last: a body that trickles holds only its sender's places,
        // and for at most Gsp:BodyReadTimeout.
        using var place = concurrency.TryOpen(HttpContext.Connection.RemoteIpAddress);
        if (place is null)
        {
            return new GspReplyResult(await gateway.RefuseAsync(method, GspError.TooManyFromAddress(), ct));
        }

        var gsp = options.Value;
        var (read, body) = await RequestBody.ReadAsync(Request, gsp.MaxRequestBytes, gsp.BodyReadTimeout, ct);
        if (read != BodyRead.Complete)
        {
            // The rest of the body is not waited for: the connection closes after the answer.
            Response.Headers.Connection = "close";
            var refusal = read == BodyRead.TooLarge ? GspError.TooLarge(gsp.MaxRequestBytes) : GspError.BodyTooSlow(gsp.BodyReadTimeout);
            return new GspReplyResult(await gateway.RefuseAsync(method, refusal, ct));
        }

        using var slot = await concurrency.TryEnterAsync(ct);
        return new GspReplyResult(slot is null
            ? await gateway.RefuseAsync(method, GspError.Unavailable(), ct)
            : await handle(body, Request.ContentType, ct));
    }

    private sealed class NotPostAttribute(string template)
        : Microsoft.AspNetCore.Mvc.Routing.HttpMethodAttribute(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], template);
}
