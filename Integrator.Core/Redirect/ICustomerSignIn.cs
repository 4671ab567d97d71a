namespace Integrator.Core.Redirect;

/// <summary>A customer as the redirect page knows them once signed in.</summary>
public sealed record Customer(string CustomerId, string Name);

/// <summary>Why a sign-in failed; the page says the same for an unknown customer and a wrong passcode.</summary>
public sealed record SignInRefused(DateTimeOffset? LockedUntil);

/// <summary>
/// How the redirect page signs a customer in: the one seam a bank replaces with its own login. The default,
/// <see cref="SeedCustomerSignIn"/>, checks the ledger seed's customers. An implementation limits attempts itself and
/// never logs the passcode.
/// </summary>
public interface ICustomerSignIn
{
    Task<Result<Customer, SignInRefused>> SignInAsync(string customerId, string passcode, CancellationToken ct);
}
