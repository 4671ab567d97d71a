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
        var arrived = await flow.ArriveAsync(
            new RedirectArrival(Request.GetEncodedUrl().Length, Request.Query[redirect.RequestParameter], Request.Query[redirect.CallbackParameter], browser),
            ct);
        if (arrived.Error is { } refusal)
        {
            return Refused(refusal);
        }

        var session = arrived.Value!;
        if (session.IsFinished)
        {
            return await HandBackAsync(session);
        }

        // Arriving again with the same request resumes it, still signed in; another request starts afresh.
        customer = redirectRequestId == session.RedirectRequestId ? customer : null;
        await RedirectBrowser.EnterAsync(HttpContext, session.RedirectRequestId, customer, browser);
        return await ShowAsync(session, customer, ct);
    }

    public async Task<IActionResult> OnPostSignInAsync(CancellationToken ct)
    {
        var (session, _, browser) = await CurrentAsync(ct);
        if (session is null || session.IsFinished)
        {
            return session is null ? Refused(RedirectRefusal.UnknownSession()) : await HandBackAsync(session);
        }

        // The address's attempt is taken before the (slow) check and given back if it succeeds: a burst cannot overrun
        // the budget, and a right passcode never spends it.
        var address = HttpContext.Connection.RemoteIpAddress;
        if (throttle.TryTake(address) is { } wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return await ShowAsync(session, null, ct, $"Too many failed sign-ins. Try again in {Math.Ceiling(wait.TotalSeconds)} seconds.");
        }

        var customerId = CustomerId?.Trim() ?? string.Empty;
        var signedIn = customerId.Length is > 0 and <= MaxCustomerIdLength && Passcode is { Length: > 0 and <= MaxPasscodeLength }
            ? await flow.SignInAsync(customerId, Passcode, ct)
            : new SignInRefused(null);
        if (signedIn.Error is null or { Busy: true })
        {
            throttle.GiveBack(address); // nothing wrong was tried
        }

        if (signedIn.Error is { } refused)
        {
            Response.StatusCode = refused switch
            {
                { Busy: true } => StatusCodes.Status503ServiceUnavailable,
                { LockedUntil: not null } => StatusCodes.Status429TooManyRequests,
                _ => StatusCodes.Status401Unauthorized,
            };
            return await ShowAsync(session, null, ct, refused switch
            {
                { Busy: true } => "Signing in is busy right now. Try again in a moment.",
                { LockedUntil: { } until } => $"Too many wrong passcodes: signing in is locked until {until:HH:mm} UTC.",
                _ => "The customer ID or passcode is not right. Check them and try again.",
            });
        }

        await RedirectBrowser.EnterAsync(HttpContext, session.RedirectRequestId, signedIn.Value, browser);
        return await ShowAsync(session, signedIn.Value, ct);
    }

    public async Task<IActionResult> OnPostApproveAsync(CancellationToken ct)
    {
        var (session, customer, _) = await CurrentAsync(ct);
        if (session is null || session.IsFinished || customer is null)
        {
            return session is null ? Refused(RedirectRefusal.UnknownSession())
                : session.IsFinished ? await HandBackAsync(session)
                : await ShowAsync(session, null, ct, "Sign in first.");
        }

        var approved = await flow.ApproveAsync(session.RedirectRequestId, customer, AccountId ?? string.Empty, ct);
        if (approved.Error is { } refusal)
        {
            Response.StatusCode = refusal.HttpStatus;
            return await ShowAsync(session, customer, ct, refusal.Message);
        }

        return await HandBackAsync(approved.Value!);
    }

    public async Task<IActionResult> OnPostDeclineAsync(CancellationToken ct)
    {
        var (session, customer, browser) = await CurrentAsync(ct);
        if (session is null)
        {
            return Refused(RedirectRefusal.UnknownSession());
        }

        var declined = await flow.DeclineAsync(session.RedirectRequestId, customer?.CustomerId, browser, ct);
        return declined.Error is { } refusal ? Refused(refusal) : await HandBackAsync(declined.Value!);
    }

    /// <summary>The session this browser is in, if it still runs.</summary>
    private async Task<(RedirectSession? Session, Customer? Customer, string Browser)> CurrentAsync(CancellationToken ct)
    {
        var (redirectRequestId, customer, browser) = await RedirectBrowser.ReadAsync(HttpContext);
        var session = redirectRequestId is null ? null : await flow.FindAsync(redirectRequestId, ct);
        return (session, customer, browser);
    }

    private async Task<IActionResult> ShowAsync(RedirectSession session, Customer? customer, CancellationToken ct, string? error = null)
    {
        Session = session;
        Customer = customer;
        Error = error;
        Accounts = customer is null ? [] : await flow.AccountsAsync(session, customer.CustomerId, ct);
        RedirectHeaders.Apply(Response, session.CallbackUrl);
        return Page();
    }

    private PageResult Refused(RedirectRefusal refusal)
    {
        Refusal = refusal;
        Response.StatusCode = refusal.HttpStatus;
        RedirectHeaders.Apply(Response, null);
        return Page();
    }

    private async Task<StatusCodeResult> HandBackAsync(RedirectSession session)
    {
        await RedirectBrowser.LeaveAsync(HttpContext);
        Response.Headers.CacheControl = "no-store";
        Response.Headers.Location = flow.HandBackUrl(session);
        return StatusCode(StatusCodes.Status303SeeOther);
    }
}
