using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>
/// Support API for back-end commands (money movements at a remote back end): the unconfirmed ones, one with its
/// attempts, and an Operator's "retry now".
/// </summary>
[ApiController]
[Route("support/v1/backend-commands")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportCommandsController(CommandSupport commands) : ControllerBase
{
    /// <summary>Commands without a definite answer for longer than <c>Backend:StuckAfter</c>, oldest first.</summary>
    [HttpGet("stuck")]
    [ProducesResponseType<IReadOnlyList<CommandView>>(StatusCodes.Status200OK)]
    public async Task<IReadOnlyList<CommandView>> Stuck(CancellationToken ct) => await commands.StuckAsync(ct);

    [HttpGet("{commandId}")]
    [ProducesResponseType<CommandView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<CommandView>> Get(string commandId, CancellationToken ct) =>
        this.ToActionResult(await commands.GetAsync(commandId, ct));

    /// <summary>Sends an open command to the back end now (a failed release: opens it again), with a required reason.</summary>
    [HttpPost("{commandId}/retry")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<CommandView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<CommandView>> Retry(string commandId, ReasonRequest body, CancellationToken ct) =>
        this.ToActionResult(await commands.RetryAsync(commandId, this.Actor(), body.Reason, ct));
}
