using Integrator.Core.DevGoogle;
using Integrator.Core.Notifications;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>
/// Development only (<c>Google:StandIn</c>): what the in-process Google stand-in received, and an outage switch to
/// watch retries, DEAD and recovery. Absent (404) otherwise.
/// </summary>
[ApiController]
[Route("dev/google")]
public sealed class GoogleStandInController(GoogleStandIn standIn, IOptions<GoogleOptions> google) : ControllerBase
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
}
