using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Integrator.Api.Support;

/// <summary>Support API for the notification outbox: list, inspect, resend one, recover DEAD ones.</summary>
[ApiController]
[Route("support/v1/notifications")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportNotificationsController(NotificationSupport notifications) : ControllerBase
{
    /// <summary>Rows by status and creation time (ISO 8601), oldest first; follow <c>next</c> with <c>after</c>.</summary>
    [HttpGet]
    [ProducesResponseType<NotificationPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<NotificationPage>> List(
        string? status, DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken ct, int limit = 100) =>
        this.ToActionResult(await notifications.ListAsync(status, since, until, limit, after, ct));

    [HttpGet("{notificationId}")]
    [ProducesResponseType<NotificationView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<NotificationView>> Get(string notificationId, CancellationToken ct) =>
        this.ToActionResult(await notifications.GetAsync(notificationId, ct));

    /// <summary>Re-arms one row (same GSP requestId); not while a dispatcher holds it; a delivered one only with force and a reason.</summary>
    [HttpPost("{notificationId}/resend")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ResendReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ResendReport>> Resend(
        string notificationId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ResendRequest? body, CancellationToken ct) =>
        this.ToActionResult(await notifications.ResendAsync(notificationId, body?.Force ?? false, this.Actor(), body?.Reason, ct));

    /// <summary>Re-arms every DEAD row created in [since, until).</summary>
    [HttpPost("recover")]
    [Authorize(Policy = SupportApiKey.OperatorPolicy)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [Consumes("application/json")]
    [ProducesResponseType<RecoverReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<RecoverReport>> Recover(RecoverRequest body, CancellationToken ct) =>
        this.ToActionResult(await notifications.RecoverAsync(body.Since, body.Until, this.Actor(), body.Reason, ct));
}
