namespace Integrator.Core.Redirect;

/// <summary>
/// How the redirect page signs a customer in: the one seam a bank replaces with its own login. The default,
/// <see cref="SeedCustomerSignIn"/>, checks passcodes of the ledger seed's customers; with <c>Redirect:Oidc</c>,
/// <see cref="ProviderCustomerSignIn"/> takes the customers the bank's provider signed in. An implementation limits
/// attempts itself and never logs a passcode.
/// </summary>
public interface ICustomerSignIn
{
    Task<Result<Customer, SignInRefused>> SignInAsync(CustomerCredential credential, CancellationToken ct);
}
