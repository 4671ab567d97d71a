using Microsoft.OpenApi;

namespace Integrator.Api.Support;

internal static class SupportOpenApi
{
    /// <summary>The OpenAPI document of /support/v1, served at /support/v1/openapi.json (with an API key).</summary>
    public static IServiceCollection AddSupportOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("support/v1", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Integrator support API",
                    Version = "v1",
                    Description = "Look up reservations, requests and notifications; release holds; replay requests; resend or recover notifications. "
                                  + "Every call needs an X-API-Key header; every action is audited under the key's name. Errors are RFC 9457 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [SupportApiKey.SchemeName] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = SupportApiKey.Header },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SupportApiKey.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
}
