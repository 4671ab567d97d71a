namespace Integrator.Core.Redirect;

/// <summary>What a customer proves who they are with on the redirect page: <see cref="PasscodeCredential"/> or <see cref="ProviderIdentity"/>.</summary>
public abstract record CustomerCredential(string CustomerId);
