using Integrator.Core.DevGoogle;
using Integrator.Core.GoogleApi;
using Integrator.Core.Gsp;
using Integrator.Core.Redirect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>
/// Development only (<c>Google:StandIn</c>): what the in-process Google stand-in received, and an outage switch to
/// watch retries, DEAD and recovery. Absent (404) otherwise.
/// </summary>
[ApiController]
[Route("dev/google")]
public sealed class GoogleStandInController(
    GoogleStandIn standIn, IOptions<GoogleOptions> google, IOptions<GspOptions> gsp, IOptions<RedirectOptions> redirect) : ControllerBase
{
    public sealed record OutageRequest(int Seconds);

    [HttpGet]
    public IActionResult Received() => google.Value.StandIn
        ? Ok(new { outageUntil = standIn.OutageUntil, received = standIn.Calls })
        : NotFound();

    /// <summary><c>{"seconds": 60}</c>: answer 503 for a minute; <c>{"seconds": 0}</c> ends the outage.</summary>
    [HttpPost("outage")]
    public IActionResult Outage(OutageRequest request)
    {
        if (!google.Value.StandIn)
        {
            return NotFound();
        }

        standIn.SetOutage(TimeSpan.FromSeconds(Math.Clamp(request.Seconds, 0, 3600)));
        return Ok(new { outageUntil = standIn.OutageUntil });
    }

    /// <summary>
    /// Starts a redirect as Google would: <c>GET /dev/google/redirect?amount=25.00&amp;currency=USD</c> sends the browser
    /// to our redirect page with a fresh request, and back to <c>/dev/google/redirect-callback</c>.
    /// </summary>
    [HttpGet("redirect")]
    public IActionResult StartRedirect(decimal amount = 25m, string currency = "USD", string description = "Google Store purchase")
    {
        if (!google.Value.StandIn)
        {
            return NotFound();
        }

        var micros = (long)Math.Round(Math.Clamp(amount, 0.01m, 1_000_000m) * 1_000_000m);
        var sealedRequest = standIn.RedirectRequest(gsp.Value.PaymentIntegratorAccountIds[0], micros, currency, description);
        var callback = $"{Request.Scheme}://{Request.Host}/dev/google/redirect-callback";
        var options = redirect.Value;
        return Redirect($"{options.Path}?{options.RequestParameter}={sealedRequest}&{options.CallbackParameter}={Uri.EscapeDataString(callback)}");
    }

    /// <summary>Where the browser comes back: what Google would read from the redirectResponse.</summary>
    [HttpGet("redirect-callback")]
    public IActionResult RedirectCallback(string? redirectRequestId, string? paymentIntegratorAccountId, string? redirectResponse)
    {
        if (!google.Value.StandIn)
        {
            return NotFound();
        }

        var opened = redirectResponse is null ? null : standIn.OpenRedirectResponse(redirectResponse);
        return Ok(new
        {
            redirectRequestId,
            paymentIntegratorAccountId,
            redirectResponse = opened is null ? null : System.Text.Json.Nodes.JsonNode.Parse(opened),
        });
    }
}
