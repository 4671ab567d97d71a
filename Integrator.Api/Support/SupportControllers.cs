using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Integrator.Api.Support;

public sealed record ReasonRequest(string? Reason);

public sealed record ResendRequest(bool Force, string? Reason);

public sealed record RecoverRequest(DateTimeOffset? Since, DateTimeOffset? Until, string? Reason);

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
        this.ToActionResult(await reservations.GetAsync(paymentIntegratorAccountId, reserveFundsRequestId, ct));

    /// <summary>Releases the hold (RESERVED → CANCELLED) with a required reason; already released: 200; captured: 409.</summary>
    [HttpPost("release")]
    [Consumes("application/json")]
    [ProducesResponseType<ReleaseReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ReleaseReport>> Release(
        string paymentIntegratorAccountId, string reserveFundsRequestId, ReasonRequest body, CancellationToken ct) =>
        this.ToActionResult(await reservations.ReleaseAsync(paymentIntegratorAccountId, reserveFundsRequestId, this.Actor(), body.Reason, ct));
}

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
        this.ToActionResult(await requests.GetAsync(paymentIntegratorAccountId, requestId, ct));

    /// <summary>The call behind a paymentIntegratorErrorIdentifier.</summary>
    [HttpGet("errors/{paymentIntegratorErrorIdentifier}")]
    [ProducesResponseType<JournalView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<JournalView>> GetByErrorIdentifier(string paymentIntegratorErrorIdentifier, CancellationToken ct) =>
        this.ToActionResult(await requests.GetByErrorIdentifierAsync(paymentIntegratorErrorIdentifier, ct));

    /// <summary>Answers a completed request again from the idempotency store, as Google's retry would get it; never executes.</summary>
    [HttpPost("requests/{paymentIntegratorAccountId}/{requestId}/replay")]
    [ProducesResponseType<ReplayReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ReplayReport>> Replay(
        string paymentIntegratorAccountId, string requestId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReasonRequest? body, CancellationToken ct) =>
        this.ToActionResult(await requests.ReplayAsync(paymentIntegratorAccountId, requestId, this.Actor(), body?.Reason, ct));
}

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
    [ProducesResponseType<ResendReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public async Task<ActionResult<ResendReport>> Resend(
        string notificationId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ResendRequest? body, CancellationToken ct) =>
        this.ToActionResult(await notifications.ResendAsync(notificationId, body?.Force ?? false, this.Actor(), body?.Reason, ct));

    /// <summary>Re-arms every DEAD row created in [since, until).</summary>
    [HttpPost("recover")]
    [Consumes("application/json")]
    [ProducesResponseType<RecoverReport>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<RecoverReport>> Recover(RecoverRequest body, CancellationToken ct) =>
        this.ToActionResult(await notifications.RecoverAsync(body.Since, body.Until, this.Actor(), body.Reason, ct));
}

/// <summary>Support API for the audit trail of support actions.</summary>
[ApiController]
[Route("support/v1/audit")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportAuditController(SupportAudit audit, TimeProvider time) : ControllerBase
{
    /// <summary>Newest first; the window defaults to the last 30 days.</summary>
    [HttpGet]
    [ProducesResponseType<IReadOnlyList<AuditEntry>>(StatusCodes.Status200OK)]
    public async Task<ActionResult<IReadOnlyList<AuditEntry>>> List(
        DateTimeOffset? since, DateTimeOffset? until, string? actor, CancellationToken ct, int limit = 100)
    {
        if (limit is < 1 or > 1000)
        {
            return this.ToActionResult<IReadOnlyList<AuditEntry>>(SupportError.Invalid("limit must be between 1 and 1000."));
        }

        var now = time.GetUtcNow();
        return Ok(await audit.ListAsync(since ?? now.AddDays(-30), until ?? now.AddSeconds(1), actor, limit, ct));
    }
}
