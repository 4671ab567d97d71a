namespace Integrator.Core.Support;

/// <summary>Who acts through the support API: the name of the API key.</summary>
public sealed record SupportActor(string Name);
