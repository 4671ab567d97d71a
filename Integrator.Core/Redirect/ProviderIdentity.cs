namespace Integrator.Core.Redirect;

/// <summary>A customer the bank's OpenID Connect provider vouched for: its signed ID token, checked before this is made, names them.</summary>
public sealed record ProviderIdentity(string CustomerId, string Name) : CustomerCredential(CustomerId);
