using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Integrator.Api.SupportConsole;

/// <summary>One statement with its differences, calls and events; Accept leads to its confirmation page.</summary>
public sealed class StatementModel(StatementSupport statements) : PageModel
{
    public string StatementId { get; private set; } = string.Empty;

    public StatementView? View { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task OnGetAsync(string piaid, string statementId, CancellationToken ct, int eventOffset = 0) =>
        Show(statementId, await statements.GetAsync(piaid, statementId, eventOffset, ct));

    private void Show(string statementId, Integrator.Core.Result<StatementView, SupportError> result)
    {
        StatementId = statementId;
        View = result.Value;
        if (result.Error is { } error)
        {
            Errors = [error.Detail];
            Response.StatusCode = SupportProblems.StatusOf(error.Kind);
        }
    }
}
