using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>
/// Support API for redirects (account linking): by redirectRequestId or by the payment token one bound (both in the
/// body: either may be a payment token), or by the reference a view gives.
/// </summary>
[ApiController]
[Route("support/v1/redirects")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportRedirectsController(RedirectSupport redirects) : ControllerBase
{
    /// <summary>
    /// One redirect by its reference (the SHA-256 of its redirectRequestId): its state and result, the customer and
    /// account, the bound token's fingerprint, its notification.
    /// </summary>
    [HttpGet("{reference}")]
    [ProducesResponseType<RedirectView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<RedirectView>> Get(string reference, CancellationToken ct) =>
        this.ToActionResult(await redirects.GetAsync(reference, this.Actor(), ct));

    /// <summary>One redirect by its redirectRequestId (a read: POST only to keep the id out of URLs).</summary>
    [HttpPost("find")]
    [Consumes("application/json")]
    [ProducesResponseType<RedirectView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<RedirectView>> Find(RedirectIdRequest body, CancellationToken ct) =>
        this.ToActionResult(await redirects.FindAsync(body.RedirectRequestId, this.Actor(), ct));

    /// <summary>The redirects that bound a payment token (a read: POST only to keep the token out of URLs).</summary>
    [HttpPost("find-by-token")]
    [Consumes("application/json")]
    [ProducesResponseType<IReadOnlyList<RedirectView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<IReadOnlyList<RedirectView>>> FindByToken(TokenRequest body, CancellationToken ct) =>
        this.ToActionResult(await redirects.FindByTokenAsync(body.Token, this.Actor(), ct));
}
