using Microsoft.AspNetCore.Authentication;

namespace Integrator.Api.Support;

/// <summary>The support API (<c>/support/v1</c>): its keys and their throttle, the API-key scheme and policies, its OpenAPI document.</summary>
public static class SupportApi
{
    public static IServiceCollection AddSupportApi(this IServiceCollection services)
    {
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SupportKeys>();
        services.AddSingleton<FailedKeyThrottle>();
        services.AddControllers();
        services.AddProblemDetails();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, SupportApiKey>(SupportApiKey.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(SupportApiKey.Policy, policy => policy.AddAuthenticationSchemes(SupportApiKey.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(SupportApiKey.OperatorPolicy, policy => policy.AddAuthenticationSchemes(SupportApiKey.SchemeName).RequireRole(nameof(SupportRole.Operator)));
        services.AddSupportOpenApi();
        return services;
    }

    /// <summary>Empty error answers of the support API (415, 405, unknown routes) become problem details too.</summary>
    public static IApplicationBuilder UseSupportApi(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/support"), support => support.UseStatusCodePages());

    public static void MapSupportApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOpenApi("/support/{documentName}/openapi.json").RequireAuthorization(SupportApiKey.Policy);
}
