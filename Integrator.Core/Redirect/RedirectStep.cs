using Integrator.Core.Ledger;

namespace Integrator.Core.Redirect;

/// <summary>
/// What the redirect page shows after one step of the flow: the session (once finished, the browser goes back to
/// Google), the signed-in customer with the accounts they may choose, and a problem to show beside the form, if any.
/// </summary>
public sealed record RedirectStep(RedirectSession Session, Customer? Customer, IReadOnlyList<LedgerAccount> Accounts, RedirectRefusal? Problem = null);
