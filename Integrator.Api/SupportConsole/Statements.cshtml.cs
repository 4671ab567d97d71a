using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

public sealed class StatementsModel(StatementSupport statements) : PageModel
{
    public string? Status { get; private set; }

    public IReadOnlyList<StatementSummaryView> Statements { get; private set; } = [];

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string? status, CancellationToken ct)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        var found = await statements.ListAsync(Status, 100, ct);
        if (found.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Statements = found.Value ?? [];
    }
}
