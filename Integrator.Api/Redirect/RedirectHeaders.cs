namespace Integrator.Api.Redirect;

/// <summary>
/// The redirect page loads nothing but our own stylesheet, is never framed or cached, and its forms may lead only to
/// itself and, through redirects, to the session's callback origin (the hand-back's 303) and the bank's identity
/// provider (sign-in), as CSP form-action covers redirects.
/// </summary>
public static class RedirectHeaders
{
    public static void Apply(HttpResponse response, string? callbackUrl, string? providerOrigin)
    {
        var callbackOrigin = callbackUrl is not null && Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri)
            ? " " + uri.GetLeftPart(UriPartial.Authority)
            : string.Empty;
        var provider = providerOrigin is null ? string.Empty : " " + providerOrigin;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'self'; frame-ancestors 'none'; form-action 'self'{callbackOrigin}{provider}; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // What antiforgery sets on a page with a form; set here first, it has nothing to override (and nothing to warn about).
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
    }
}
