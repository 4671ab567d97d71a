namespace Integrator.Core.Redirect;

/// <summary>
/// What the browser brought: the page's whole URL length, its two query parameters, the random value that names this
/// browser (in its redirect cookie) and, if it signed in before, for which redirect and as whom.
/// </summary>
public sealed record RedirectArrival(
    int UrlLength, string? RedirectRequest, string? CallbackUrl, string Browser, string? SignedInFor = null, Customer? SignedIn = null);
