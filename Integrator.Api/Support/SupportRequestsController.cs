using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Integrator.Api.Support;

/// <summary>Support API for the request journal: what Google asked and what we answered, and replay.</summary>
[ApiController]
[Route("support/v1")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportRequestsController(RequestSupport requests) : ControllerBase
{
    [HttpGet("requests/{paymentIntegratorAccountId}/{requestId}")]
    [ProducesResponseType<IReadOnlyList<JournalView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<IReadOnlyList<JournalView>>> Get(string paymentIntegratorAccountId, string requestId, CancellationToken ct) =>
        this.ToActionResult(await requests.GetAsync(paymentIntegratorAccountId, requestId, this.Actor(), ct));

    /// <summary>The call behind a paymentIntegratorErrorIdentifier.</summary>
    [HttpGet("errors/{paymentIntegratorErrorIdentifier}")]
    [ProducesResponseType<JournalView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<JournalView>> GetByErrorIdentifier(string paymentIntegratorErrorIdentifier, CancellationToken ct) =>
        this.ToActionResult(await requests.GetByErrorIdentifierAsync(paymentIntegratorErrorIdentifier, this.Actor(), ct));

    /// <summary>Answers a completed request again from the idempotency store, as Google's retry would get it; never executes.</summary>
    [HttpPost("requests/{paymentIntegratorAccountId}/{requestId}/replay")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ReplayReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ReplayReport>> Replay(
        string paymentIntegratorAccountId, string requestId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReasonRequest? body, CancellationToken ct) =>
        this.ToActionResult(await requests.ReplayAsync(paymentIntegratorAccountId, requestId, this.Actor(), body?.Reason, ct));
}
