namespace Integrator.Api.Support;

/// <summary>A payment token to look up; in the body, so that it never lands in a URL or an access log.</summary>
public sealed record TokenRequest(string? Token)
{
    /// <summary>Never the token: MVC writes action arguments to the trace log.</summary>
    public override string ToString() => $"{nameof(TokenRequest)} {{ Token = *** }}";
}
