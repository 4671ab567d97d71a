using Integrator.Core.Ledger;
using Integrator.Core.Redirect;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Redirect;

/// <summary>
/// The redirect page at <c>Redirect:Path</c> (README "The redirect"): arrive with Google's request, sign in, choose an
/// account, approve or decline, and go back to Google with the sealed result. Works without JavaScript.
/// </summary>
public sealed class RedirectModel(RedirectFlow flow, SignInThrottle throttle, IOptions<RedirectOptions> options) : PageModel
{
    private const int MaxCustomerIdLength = 100;
    private const int MaxPasscodeLength = 128;

    public RedirectSession? Session { get; private set; }

    public RedirectRefusal? Refusal { get; private set; }

    public Customer? Customer { get; private set; }

    public IReadOnlyList<LedgerAccount> Accounts { get; private set; } = [];

    public string? Error { get; private set; }

    /// <summary>Set on the page that ends the identity provider's round trip: where the browser goes on (<see cref="RedirectOidc.ContinuePath"/>).</summary>
    public string? ContinueUrl { get; private set; }

    public CustomerOidcOptions? Provider => options.Value.Oidc.IsConfigured ? options.Value.Oidc : null;

    [BindProperty]
    public string? CustomerId { get; set; }

    [BindProperty]
    public string? Passcode { get; set; }

    [BindProperty]
    public string? AccountId { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var redirect = options.Value;
        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        var arrival = new RedirectArrival(
            Request.GetEncodedUrl().Length, Request.Query[redirect.RequestParameter], Request.Query[redirect.CallbackParameter], browser, redirectRequestId, customer);
        return await AnswerAsync(await flow.ArriveAsync(arrival, ct), browser);
    }

    /// <summary>The end of the identity provider's round trip: a page that moves on to <see cref="OnGetResumeAsync"/>.</summary>
    public IActionResult OnGetContinue(string? failed)
    {
        ContinueUrl = $"{options.Value.Path}?handler=resume{(failed is null ? string.Empty : "&failed=provider")}";
        RedirectHeaders.Apply(Response, null, null);
        return Page();
    }

    /// <summary>The page as this browser's cookie has it: after the identity provider signed the customer in, or failed to.</summary>
    public async Task<IActionResult> OnGetResumeAsync(string? failed, CancellationToken ct)
    {
        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        return await AnswerAsync(await flow.ShowAsync(redirectRequestId, customer, failed is null ? null : RedirectRefusal.ProviderSignInFailed(), ct), browser);
    }

    /// <summary>Sign-in through the bank's identity provider (<c>Redirect:Oidc</c>), for the redirect this browser is in.</summary>
    public async Task<IActionResult> OnPostProviderAsync(CancellationToken ct)
    {
        if (Provider is null)
        {
            return NotFound();
        }

        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        var step = await flow.ShowAsync(redirectRequestId, customer, null, ct);
        return step.Value is { Session.IsFinished: false } shown
            ? RedirectOidc.Challenge(shown.Session.RedirectRequestId, browser, options.Value.Path)
            : await AnswerAsync(step, browser);
    }

    public async Task<IActionResult> OnPostSignInAsync(CancellationToken ct)
    {
        var (redirectRequestId, _, browser) = await RedirectBrowser.ReadAsync(HttpContext);

        // The address's attempt is taken before the (slow) check and given back if it succeeds: a burst cannot overrun
        // the budget, and a right passcode never spends it.
        var address = HttpContext.Connection.RemoteIpAddress;
        if (throttle.TryTake(address) is { } wait)
        {
            return await AnswerAsync(await flow.ShowAsync(redirectRequestId, null, RedirectRefusal.Throttled(wait), ct), browser);
        }

        var customerId = CustomerId?.Trim() ?? string.Empty;
        var step = customerId.Length is > 0 and <= MaxCustomerIdLength && Passcode is { Length: > 0 and <= MaxPasscodeLength }
            ? await flow.SignInAsync(redirectRequestId, new PasscodeCredential(customerId, Passcode), ct)
            : await flow.ShowAsync(redirectRequestId, null, RedirectRefusal.SignInFailed(new SignInRefused(null)), ct);
        if (step.Value is { Customer: not null } or { Problem.Code: "SIGN_IN_BUSY" })
        {
            throttle.GiveBack(address); // nothing wrong was tried
        }

        return await AnswerAsync(step, browser);
    }

    public async Task<IActionResult> OnPostApproveAsync(CancellationToken ct)
    {
        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        return await AnswerAsync(await flow.ApproveAsync(redirectRequestId, customer, AccountId ?? string.Empty, ct), browser);
    }

    public async Task<IActionResult> OnPostDeclineAsync(CancellationToken ct)
    {
        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        return await AnswerAsync(await flow.DeclineAsync(redirectRequestId, customer, browser, ct), browser);
    }

    /// <summary>
    /// A step as the browser gets it: a finished session goes back to Google; a refusal is the error page; otherwise
    /// the page, with the browser's place (redirect and customer) kept in its cookie.
    /// </summary>
    private async Task<IActionResult> AnswerAsync(Core.Result<RedirectStep, RedirectRefusal> step, string browser)
    {
        if (step.Error is { } refusal)
        {
            Refusal = refusal;
            Response.StatusCode = refusal.HttpStatus;
            RedirectHeaders.Apply(Response, null, null);
            return Page();
        }

        var (session, customer, accounts, problem) = step.Value!;
        if (session.IsFinished)
        {
            await RedirectBrowser.LeaveAsync(HttpContext);
            Response.Headers.CacheControl = "no-store";
            Response.Headers.Location = flow.HandBackUrl(session);
            return StatusCode(StatusCodes.Status303SeeOther);
        }

        await RedirectBrowser.EnterAsync(HttpContext, session.RedirectRequestId, customer, browser);
        (Session, Customer, Accounts, Error) = (session, customer, accounts, problem?.Message);
        Response.StatusCode = problem?.HttpStatus ?? StatusCodes.Status200OK;
        RedirectHeaders.Apply(Response, session.CallbackUrl, Provider?.AuthorityOrigin);
        return Page();
    }
}
