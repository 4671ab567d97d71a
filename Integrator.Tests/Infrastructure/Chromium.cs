using Microsoft.Playwright;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (Playwright cannot download its own browser here). A missing browser is a
/// failure, never a skip: <c>.ci/run</c> installs it (<c>apt-get install chromium</c>).
/// </summary>
public static class Chromium
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("INTEGRATOR_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"No browser at {ExecutablePath}: install Debian's chromium (apt-get install chromium fonts-liberation) or set INTEGRATOR_TEST_CHROMIUM.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }
}
