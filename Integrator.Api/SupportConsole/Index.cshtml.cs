using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class IndexModel(OverviewSupport overview, ProposalSupport proposals) : PageModel
{
    public OverviewView Overview { get; private set; } = null!;

    /// <summary>Money decisions waiting for a second person (four eyes).</summary>
    public IReadOnlyList<ProposalView> Proposals { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Overview = await overview.GetAsync(ct);
        Proposals = await proposals.PendingAsync(ct);
    }
}
