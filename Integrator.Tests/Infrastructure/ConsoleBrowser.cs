using Microsoft.Playwright;

namespace Integrator.Tests.Infrastructure;

/// <summary>The support console as a person opens it: a fresh browser context, signed in with a support key.</summary>
public static class ConsoleBrowser
{
    public static async Task<IPage> SignedInPageAsync(IBrowser browser, string baseUrl, string key)
    {
        var page = await (await browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync($"{baseUrl}/console/sign-in");
        await page.GetByLabel("Your support key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What needs attention" })).ToBeVisibleAsync();
        return page;
    }
}
