using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class AuditModel(SupportAudit audit, TimeProvider time) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        Entries = await audit.ListAsync(now.AddDays(-30), now.AddMinutes(1), actor: null, limit: 500, ct);
    }
}
