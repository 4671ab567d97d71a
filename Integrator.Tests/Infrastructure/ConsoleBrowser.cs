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

    /// <summary>The session's antiforgery token, from any form on the page (the header's sign-out has one).</summary>
    public static async Task<string> AntiforgeryTokenAsync(IPage page) =>
        (await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value"))!;

    /// <summary>A form body for a POST made beside the page (a forged one, or one the page would not offer).</summary>
    public static IFormData Form(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }
}
