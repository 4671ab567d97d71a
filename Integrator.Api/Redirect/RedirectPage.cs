using Integrator.Core.Redirect;

namespace Integrator.Api.Redirect;

/// <summary>The customers' redirect page: at <c>Redirect:Path</c> and nowhere else, its browser cookie, its sign-in (throttled passcodes, or the bank's identity provider).</summary>
public static class RedirectPage
{
    public static IServiceCollection AddRedirectPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SignInThrottle>();
        services.AddAuthentication().AddRedirectCookie().AddRedirectOidc(configuration);
        // The raw setting, not IOptions: routes are built before startup validates every option at once.
        var path = (configuration[$"{RedirectOptions.Section}:{nameof(RedirectOptions.Path)}"] ?? new RedirectOptions().Path).TrimStart('/');
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/";
            pages.Conventions.AddPageRouteModelConvention("/Redirect/Redirect", page =>
            {
                foreach (var selector in page.Selectors)
                {
                    selector.AttributeRouteModel!.Template = path;
                }
            });
        });
        services.Configure<Microsoft.AspNetCore.Mvc.Razor.RazorViewEngineOptions>(razor => razor.PageViewLocationFormats.Add("/Redirect/Shared/{0}.cshtml"));
        return services;
    }
}
