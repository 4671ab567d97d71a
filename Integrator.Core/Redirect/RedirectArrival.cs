namespace Integrator.Core.Redirect;

/// <summary>What the browser brought: the page's whole URL length and its two query parameters.</summary>
public sealed record RedirectArrival(int UrlLength, string? RedirectRequest, string? CallbackUrl);
