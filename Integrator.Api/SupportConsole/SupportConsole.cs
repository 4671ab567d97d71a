using Integrator.Api.Support;
using Integrator.Core.Support;
using Microsoft.Extensions.Options;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The console (<c>/console</c>): its sign-in (cookie scheme, identity provider) and policies, its pages (all but
/// sign-in need a session), their layout in SupportConsole/Shared, the keys of its cookies, and its response headers.
/// </summary>
public static class SupportConsole
{
    public static IServiceCollection AddSupportConsole(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Four eyes hold on every channel: Core's support services read them too.
        services.AddSingleton<IOptions<FourEyesOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<ConsoleOptions>>().Value.FourEyes));
        services.AddAuthentication().AddConsoleCookie().AddConsoleOidc(configuration);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuth.Policy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireAuthenticatedUser())
            .AddPolicy(ConsoleAuth.OperatorPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireRole(nameof(SupportRole.Operator)));
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/";
            pages.Conventions.AuthorizeFolder("/SupportConsole", ConsoleAuth.Policy);
            pages.Conventions.AllowAnonymousToPage("/SupportConsole/SignIn");
            pages.Conventions.AllowAnonymousToPage("/SupportConsole/Denied");
            pages.Conventions.AllowAnonymousToPage("/SupportConsole/SignedIn");
            pages.Conventions.AllowAnonymousToPage("/SupportConsole/SignedOut");
            pages.Conventions.AllowAnonymousToPage("/SupportConsole/NoRole");
        });
        services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(razor => razor.PageViewLocationFormats.Add("/SupportConsole/Shared/{0}.cshtml"));
        services.AddConsoleKeys(configuration, environment);
        return services;
    }

    public static IApplicationBuilder UseSupportConsole(this IApplicationBuilder app) => app.UseConsoleHeaders();
}
