using Integrator.Core.Gsp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>Puts the Google-facing routes under <c>Gsp:BasePath</c>; the support API keeps its own fixed prefix.</summary>
internal sealed class GspRoutes(IConfiguration configuration) : IConfigureOptions<MvcOptions>
{
    // The raw setting, not IOptions<GspOptions>: routes are built before startup validates every option at once, and a
    // missing PIAID is to be reported with the other missing settings, not alone from here.
    public void Configure(MvcOptions mvc) =>
        mvc.Conventions.Add(new BasePathConvention(GspOptions.Normalize(configuration[$"{GspOptions.Section}:{nameof(GspOptions.BasePath)}"])));

    private sealed class BasePathConvention(string basePath) : IControllerModelConvention
    {
        public void Apply(ControllerModel controller)
        {
            if (basePath.Length == 0 || controller.ControllerType != typeof(RedirectPaymentTokenController))
            {
                return;
            }

            var prefix = new AttributeRouteModel(new RouteAttribute(basePath.TrimStart('/')));
            foreach (var selector in controller.Selectors)
            {
                selector.AttributeRouteModel = AttributeRouteModel.CombineAttributeRouteModel(prefix, selector.AttributeRouteModel);
            }
        }
    }
}
