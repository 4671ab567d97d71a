using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>Support API for remittance statements: list by status, inspect one, accept a discrepancy by hand.</summary>
[ApiController]
[Route("support/v1/statements")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportStatementsController(StatementSupport statements) : ControllerBase
{
    /// <summary>Statements, newest first; <c>status</c> is RECEIVED, MATCHED, DISCREPANCY or ACCEPTED.</summary>
    [HttpGet]
    [ProducesResponseType<IReadOnlyList<StatementSummaryView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<IReadOnlyList<StatementSummaryView>>> List(string? status, CancellationToken ct, int limit = 100) =>
        this.ToActionResult(await statements.ListAsync(status, limit, ct));

    /// <summary>
    /// One statement: Google's summary as sent, a page of its events from <c>eventOffset</c>, the differences found and
    /// the latest calls to Google.
    /// </summary>
    [HttpGet("{paymentIntegratorAccountId}/{statementId}")]
    [ProducesResponseType<StatementView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<StatementView>> Get(string paymentIntegratorAccountId, string statementId, CancellationToken ct, int eventOffset = 0) =>
        this.ToActionResult(await statements.GetAsync(paymentIntegratorAccountId, statementId, eventOffset, ct));

    /// <summary>Accepts a reconciled statement by hand, with a required reason; the job then tells Google.</summary>
    [HttpPost("{paymentIntegratorAccountId}/{statementId}/accept")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [Consumes("application/json")]
    [ProducesResponseType<StatementView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<StatementView>> Accept(string paymentIntegratorAccountId, string statementId, ReasonRequest body, CancellationToken ct) =>
        this.ToActionResult(await statements.AcceptAsync(paymentIntegratorAccountId, statementId, this.Actor(), body.Reason, ct));
}
