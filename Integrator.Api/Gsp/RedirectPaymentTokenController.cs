using Integrator.Api.Support;
using Integrator.Core.Gsp;
using Integrator.Core.Pipeline;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>
/// The Payment-Integrator-hosted Redirect Payment Token API that Google calls, under <c>Gsp:BasePath</c>: one route
/// for every method the gateway serves (Core/Pipeline/GspEndpoints). The raw body is read here (the message codec,
/// not MVC, decides what it may contain) and handed to the gateway; an unknown method is a plain 404.
/// </summary>
[Route("redirect-payment-token-v1")]
public sealed class RedirectPaymentTokenController(GspGateway gateway, GspConcurrency concurrency, IOptions<GspOptions> options) : ControllerBase
{
    [HttpPost("{method}")]
    public async Task<IActionResult> Post(string method, CancellationToken ct) =>
        gateway.Serves(method) ? await RespondAsync(method, ct) : NotFound();

    /// <summary>Any other HTTP method on a GSP method's path: a GSP 405, not MVC's empty one.</summary>
    [AcceptVerbs("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", Route = "{method}")]
    public async Task<IActionResult> NotPost(string method, CancellationToken ct)
    {
        if (!gateway.Serves(method))
        {
            return NotFound();
        }

        Response.Headers.Allow = "POST";
        return new GspReplyResult(await gateway.RefuseAsync(method, GspError.MethodNotAllowed(Request.Method), ct));
    }

    private async Task<IActionResult> RespondAsync(string method, CancellationToken ct)
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
            : await gateway.HandleAsync(method, body, Request.ContentType, ct));
    }
}
