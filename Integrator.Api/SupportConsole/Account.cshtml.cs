using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>An account's page: its holder, balance, holds, captures, refunds and redirects, with the back end's view beside ours.</summary>
public sealed class AccountModel(AccountSupport accounts) : PageModel
{
    public AccountView? Account { get; private set; }

    public string? Missing { get; private set; }

    public async Task OnGetAsync(string accountId, CancellationToken ct)
    {
        var found = await accounts.GetAsync(accountId, ct);
        (Account, Missing) = (found.Value, found.Error?.Detail);
        if (found.Error is not null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
