using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Integrator.Tests.Infrastructure;

/// <summary>axe-core on a page as the browser shows it: its serious and critical violations, named by page.</summary>
public static class Accessibility
{
    public static async Task ScanAsync(IPage page, string what, List<string> violations)
    {
        var result = await page.RunAxe();
        Assert.That(result.Passes, Is.Not.Empty, $"axe ran on {what}");
        violations.AddRange(result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{what}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
    }
}
