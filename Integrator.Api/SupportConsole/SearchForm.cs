namespace Integrator.Api.SupportConsole;

/// <summary>
/// The search page's fields: an id (<c>q</c>) or a payment token. A class of its own because MVC writes handler
/// arguments to the trace log: this one says only its type.
/// </summary>
public sealed class SearchForm
{
    public string? Q { get; set; }

    public string? Token { get; set; }
}
