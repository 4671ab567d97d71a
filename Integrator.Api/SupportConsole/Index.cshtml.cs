using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class IndexModel(OverviewSupport overview) : PageModel
{
    public OverviewView Overview { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Overview = await overview.GetAsync(ct);
}
