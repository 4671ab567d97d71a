using Microsoft.Playwright;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (Playwright cannot download its own browser here), started once per browser
/// suite and closed with it. A missing browser is a failure, never a skip: <c>.ci/run</c> installs it
/// (<c>apt-get install chromium</c>).
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser) => (_playwright, Browser) = (playwright, browser);

    public static string ExecutablePath => Environment.GetEnvironmentVariable("INTEGRATOR_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"No browser at {ExecutablePath}: install Debian's chromium (apt-get install chromium fonts-liberation) or set INTEGRATOR_TEST_CHROMIUM.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            return new Chromium(playwright, await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            }));
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
