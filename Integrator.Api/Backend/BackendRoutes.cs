using Integrator.Api.Gsp;
using System.Text;
using Integrator.Core.Backend;
using Integrator.Core.Backend.Mollie;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Backend;

/// <summary>
/// What the account back end calls. The core's signed events (<c>POST {Backend:Http:EventsPath}</c>,
/// docs/backend-http.openapi.yaml): 204 once the signature checks (the hold's open commands are then checked against the
/// core), 401 for a missing or wrong signature, 400 for a body that is not <c>{"holdId": …}</c>, 413 past 4 KiB, 404 with
/// another provider. Mollie's webhook (<c>POST {Backend:Mollie:WebhookPath}</c>, form field <c>id=tr_…</c>): 200 for any
/// payment id, as Mollie expects (the payment is read back before anything changes), 400 for a body without one.
/// </summary>
public static class BackendRoutes
{
    private static readonly TimeSpan BodyDeadline = TimeSpan.FromSeconds(5);

    public static void MapBackendRoutes(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<BackendOptions>>().Value;
        endpoints.MapPost(options.Http.EventsPath, async (HttpContext context, BackendEvents events) =>
        {
            var (read, body) = await RequestBody.ReadAsync(context.Request, BackendEvents.MaxBodyBytes, BodyDeadline, context.RequestAborted);
            if (read != BodyRead.Complete)
            {
                return Results.StatusCode(read == BodyRead.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status408RequestTimeout);
            }

            var outcome = await events.ReceiveAsync(body.ToArray(), context.Request.Headers["X-Signature"].FirstOrDefault(), context.RequestAborted);
            return outcome switch
            {
                BackendEventOutcome.Accepted => Results.NoContent(),
                BackendEventOutcome.BadSignature => Results.Problem(statusCode: 401, title: "Missing or wrong X-Signature."),
                BackendEventOutcome.Malformed => Results.Problem(statusCode: 400, title: "The body must be {\"holdId\": \"…\"}."),
                _ => Results.NotFound(),
            };
        }).ExcludeFromDescription();

        if (options.Provider != BackendProvider.Mollie)
        {
            return;
        }

        endpoints.MapPost(options.Mollie.WebhookPath, async (HttpContext context, MollieWebhooks webhooks) =>
        {
            var (read, body) = await RequestBody.ReadAsync(context.Request, MollieWebhooks.MaxBodyBytes, BodyDeadline, context.RequestAborted);
            if (read != BodyRead.Complete)
            {
                return Results.StatusCode(read == BodyRead.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status408RequestTimeout);
            }

            var id = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.Span)).TryGetValue("id", out var values) ? values.ToString() : null;
            return await webhooks.ReceiveAsync(id, context.RequestAborted)
                ? Results.Ok()
                : Results.Problem(statusCode: 400, title: "The body must be the form field id=tr_….");
        }).ExcludeFromDescription();
    }
}
