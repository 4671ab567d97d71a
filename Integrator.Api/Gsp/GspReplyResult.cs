using Integrator.Core.Pipeline;
using Microsoft.AspNetCore.Mvc;

namespace Integrator.Api.Gsp;

/// <summary>Writes a gateway reply as it is: status, Content-Type and the already sealed body.</summary>
internal sealed class GspReplyResult(GspReply reply) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = reply.StatusCode;
        response.ContentType = reply.ContentType;
        response.ContentLength = reply.Body.Length;
        await response.Body.WriteAsync(reply.Body, context.HttpContext.RequestAborted);
    }
}
