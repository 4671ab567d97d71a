using Integrator.Core.Gsp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Gsp;

/// <summary>Puts the Google-facing routes under <c>Gsp:BasePath</c>; the support API keeps its own fixed prefix.</summary>
internal sealed class GspRoutes(IOptions<GspOptions> options) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions mvc) => mvc.Conventions.Add(new BasePathConvention(options.Value.NormalizedBasePath));

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
