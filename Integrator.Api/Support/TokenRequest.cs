namespace Integrator.Api.Support;

/// <summary>A payment token to look up; in the body, so that it never lands in a URL or an access log.</summary>
public sealed record TokenRequest(string? Token);
