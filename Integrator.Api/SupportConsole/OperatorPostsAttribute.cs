using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// A page anyone signed in may read, whose POST (an action) only an Operator may send: Razor Pages take no
/// <c>[Authorize]</c> on a single handler, so the check runs here, once, before any handler.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OperatorPostsAttribute : Attribute, IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (HttpMethods.IsPost(context.HttpContext.Request.Method))
        {
            var authorization = context.HttpContext.RequestServices.GetRequiredService<IAuthorizationService>();
            if (!(await authorization.AuthorizeAsync(context.HttpContext.User, ConsoleAuth.OperatorPolicy)).Succeeded)
            {
                context.Result = new ForbidResult(ConsoleAuth.Scheme);
                return;
            }
        }

        await next();
    }
}
