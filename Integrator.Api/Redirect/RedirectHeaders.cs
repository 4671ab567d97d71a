namespace Integrator.Api.Redirect;

/// <summary>
/// The redirect page loads nothing but our own stylesheet, is never framed or cached, and its forms may lead only to
/// itself and, through the hand-back's 303, to the session's callback origin (CSP form-action covers redirects).
/// </summary>
public static class RedirectHeaders
{
    public static void Apply(HttpResponse response, string? callbackUrl)
    {
        var callbackOrigin = callbackUrl is not null && Uri.TryCreate(callbackUrl, UriKind.Absolute, out var uri)
            ? " " + uri.GetLeftPart(UriPartial.Authority)
            : string.Empty;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'self'; frame-ancestors 'none'; form-action 'self'{callbackOrigin}; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // What antiforgery sets on a page with a form; set here first, it has nothing to override (and nothing to warn about).
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
    }
}
