namespace Integrator.Core.Redirect;

/// <summary>
/// How the redirect page signs a customer in: the one seam a bank replaces with its own login. The default,
/// <see cref="SeedCustomerSignIn"/>, checks the ledger seed's customers. An implementation limits attempts itself and
/// never logs the passcode.
/// </summary>
public interface ICustomerSignIn
{
    Task<Result<Customer, SignInRefused>> SignInAsync(string customerId, string passcode, CancellationToken ct);
}
