using Integrator.Core.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>Support API for redirects (account linking): by redirectRequestId, or by the payment token one bound.</summary>
[ApiController]
[Route("support/v1/redirects")]
[Authorize(Policy = SupportApiKey.Policy)]
public sealed class SupportRedirectsController(RedirectSupport redirects) : ControllerBase
{
    /// <summary>One redirect: its state and result, the customer and account, the bound token's fingerprint, its notification.</summary>
    [HttpGet("{redirectRequestId}")]
    [ProducesResponseType<RedirectView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<RedirectView>> Get(string redirectRequestId, CancellationToken ct) =>
        this.ToActionResult(await redirects.GetAsync(redirectRequestId, this.Actor(), ct));

    /// <summary>The redirects that bound a payment token (a read: POST only to keep the token out of URLs).</summary>
    [HttpPost("find-by-token")]
    [Consumes("application/json")]
    [ProducesResponseType<IReadOnlyList<RedirectView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<IReadOnlyList<RedirectView>>> FindByToken(TokenRequest body, CancellationToken ct) =>
        this.ToActionResult(await redirects.FindByTokenAsync(body.Token, this.Actor(), ct));
}
