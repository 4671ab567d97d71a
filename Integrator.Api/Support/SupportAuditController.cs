using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

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
