namespace Integrator.Core.Redirect;

/// <summary>
/// Customers signed in by the bank's OpenID Connect provider (<c>Redirect:Oidc</c>): the provider checked who they are
/// and limits attempts; a passcode is never accepted here.
/// </summary>
public sealed class ProviderCustomerSignIn : ICustomerSignIn
{
    public Task<Result<Customer, SignInRefused>> SignInAsync(CustomerCredential credential, CancellationToken ct) =>
        Task.FromResult<Result<Customer, SignInRefused>>(credential is ProviderIdentity identity
            ? new Customer(identity.CustomerId, identity.Name)
            : new SignInRefused(null));
}
