namespace Integrator.Core.Redirect;

/// <summary>
/// What the browser brought: the page's whole URL length, its two query parameters, and the random value that names
/// this browser (in its redirect cookie).
/// </summary>
public sealed record RedirectArrival(int UrlLength, string? RedirectRequest, string? CallbackUrl, string Browser);
