using Microsoft.Extensions.Options;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The console's pages load nothing but our own stylesheet and script, and are never framed or cached; their forms
/// lead only to the console and, through sign-in's and sign-out's redirects, to the identity provider (CSP form-action
/// covers redirects).
/// </summary>
public static class ConsoleHeaders
{
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app)
    {
        var provider = app.ApplicationServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.Oidc.AuthorityOrigin is { } origin ? " " + origin : string.Empty;
        var policy = $"default-src 'self'; frame-ancestors 'none'; form-action 'self'{provider}; base-uri 'none'";
        return app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/console"),
            console => console.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // What antiforgery sets on a page with a form; set here first, it has nothing to override (and nothing to warn about).
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
                await next();
            }));
    }
}
