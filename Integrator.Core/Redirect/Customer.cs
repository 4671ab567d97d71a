namespace Integrator.Core.Redirect;

/// <summary>A customer as the redirect page knows them once signed in.</summary>
public sealed record Customer(string CustomerId, string Name);
