namespace Integrator.Core.Redirect;

/// <summary>Why a redirect cannot go on: shown on the error page (never sent anywhere), with a code for support.</summary>
public sealed record RedirectRefusal(int HttpStatus, string Code, string Message)
{
    public static RedirectRefusal TooLong() =>
        new(414, "URL_TOO_LONG", $"The link is longer than {RedirectOptions.MaxUrlLength} characters.");

    public static RedirectRefusal Missing(string parameter) => new(400, "MISSING_PARAMETER", $"The link has no {parameter}.");

    public static RedirectRefusal CallbackNotAllowed() =>
        new(400, "CALLBACK_NOT_ALLOWED", "The link would send you back to a site we do not know.");

    public static RedirectRefusal NotAuthentic(string code) =>
        new(400, code, "The request could not be verified as coming from Google.");

    public static RedirectRefusal Invalid(string code) => new(400, code, "The request is not one we can process.");

    public static RedirectRefusal Expired() => new(400, "REQUEST_EXPIRED", "The request has expired. Please start again from Google.");

    public static RedirectRefusal UnknownSession() =>
        new(400, "NO_SESSION", "This page has no request in progress. Please start again from Google.");

    public static RedirectRefusal CallbackChanged() =>
        new(400, "CALLBACK_CHANGED", "This request was started with another return address. Please start again from Google.");

    public static RedirectRefusal NotYourSession() =>
        new(403, "NOT_YOUR_SESSION", "This request was started in another browser. Sign in to decline it, or start again from Google.");

    /// <summary>A sign-in that did not succeed, shown beside the form.</summary>
    public static RedirectRefusal SignInFailed(SignInRefused refused) => refused switch
    {
        { Busy: true } => new(503, "SIGN_IN_BUSY", "Signing in is busy right now. Try again in a moment."),
        { LockedUntil: { } until } => new(429, "LOCKED_OUT", $"Too many wrong passcodes: signing in is locked until {until:HH:mm} UTC."),
        _ => new(401, "SIGN_IN_FAILED", "The customer ID or passcode is not right. Check them and try again."),
    };

    /// <summary>The round trip to the bank's identity provider did not sign anybody in (cancelled there, or its answer refused here).</summary>
    public static RedirectRefusal ProviderSignInFailed() =>
        new(401, "SIGN_IN_FAILED", "Signing in with your bank did not complete, so nobody is signed in. Try again.");

    public static RedirectRefusal Throttled(TimeSpan wait) =>
        new(429, "THROTTLED", $"Too many failed sign-ins. Try again in {Math.Ceiling(wait.TotalSeconds)} seconds.");

    public static RedirectRefusal SignInFirst() => new(400, "NOT_SIGNED_IN", "Sign in first.");

    public static RedirectRefusal AccountsUnavailable() =>
        new(503, "ACCOUNTS_UNAVAILABLE", "Your accounts cannot be shown right now. Try again in a moment.");

    public static RedirectRefusal NotYourAccount() => new(400, "ACCOUNT_NOT_OFFERED", "Choose one of the accounts shown.");
}
