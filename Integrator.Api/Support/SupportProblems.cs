using Integrator.Core;
using Integrator.Core.Support;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Support;

/// <summary>The one place a support outcome becomes an HTTP answer: the value, or RFC 9457 problem details (or, in the console, a page with that status).</summary>
internal static class SupportProblems
{
    public static ActionResult<T> ToActionResult<T>(this ControllerBase controller, Result<T, SupportError> result)
        where T : class =>
        result.Error is not { } error
            ? controller.Ok(result.Value)
            : controller.Problem(detail: error.Detail, statusCode: StatusOf(error.Kind));

    /// <summary>The HTTP status of a refusal, for the API's problem details and the console's pages alike.</summary>
    public static int StatusOf(SupportErrorKind kind) => kind switch
    {
        SupportErrorKind.NotFound => StatusCodes.Status404NotFound,
        SupportErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Who is acting: the name of the API key that authenticated the call.</summary>
    public static SupportActor Actor(this ControllerBase controller) => new(controller.User.Identity?.Name ?? "?");
}
