using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>Support API for reservations: look one up, release its hold by hand.</summary>
[ApiController]
[Route("support/v1/reservations/{paymentIntegratorAccountId}/{reserveFundsRequestId}")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportReservationsController(ReservationSupport reservations) : ControllerBase
{
    [HttpGet]
    [ProducesResponseType<ReservationView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<ReservationView>> Get(string paymentIntegratorAccountId, string reserveFundsRequestId, CancellationToken ct) =>
        this.ToActionResult(await reservations.GetAsync(paymentIntegratorAccountId, reserveFundsRequestId, this.Actor(), ct));

    /// <summary>Releases the hold (RESERVED → CANCELLED) with a required reason; already released: 200; captured: 409.</summary>
    [HttpPost("release")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [Consumes("application/json")]
    [ProducesResponseType<ReleaseReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ReleaseReport>> Release(
        string paymentIntegratorAccountId, string reserveFundsRequestId, ReasonRequest body, CancellationToken ct) =>
        this.ToActionResult(await reservations.ReleaseAsync(paymentIntegratorAccountId, reserveFundsRequestId, this.Actor(), body.Reason, ct));
}
