using Integrator.Core.Backend;
using Integrator.Core.Backend.StandIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Backend;

/// <summary>
/// Development only (<c>Backend:Provider=Mollie</c> with no <c>Backend:Mollie:ApiKey</c>): the in-process stand-in Mollie.
/// <c>GET /dev/mollie</c> shows its customers, mandates, payments, armed faults and the calls it received;
/// <c>POST /dev/mollie/faults</c> arms a fault; <c>POST /dev/mollie/payments/{id}/capture-outside</c> plays a capture in
/// Mollie's dashboard; <c>POST /dev/mollie/payments/{id}/webhook</c> sends the payment's webhook whether or not anything
/// changed. Absent (404) otherwise.
/// </summary>
[ApiController]
[Route("dev/mollie")]
public sealed class MollieStandInController(StandInMollie mollie, IOptions<BackendOptions> backend, TimeProvider time) : ControllerBase
{
    private bool On => backend.Value.Provider == BackendProvider.Mollie && backend.Value.Mollie.StandIn;

    [HttpGet]
    public IActionResult State() => On ? Ok(mollie.Snapshot()) : NotFound();

    [HttpPost("faults")]
    public IActionResult Arm(CoreStandInController.FaultRequest request)
    {
        if (!On)
        {
            return NotFound();
        }

        if (CoreStandInController.FaultOf(request, time) is not { } fault)
        {
            return Problem(
                statusCode: 400,
                title: "Unknown fault.",
                detail: $"kind is one of {string.Join(", ", StandInFault.Kinds)}; operation one of {string.Join(", ", StandInFault.Operations)}.");
        }

        mollie.Faults.Arm(fault);
        return Ok(StandInCore.FaultsJson(mollie.Faults));
    }

    [HttpDelete("faults")]
    public IActionResult Clear()
    {
        if (!On)
        {
            return NotFound();
        }

        mollie.Faults.Clear();
        return NoContent();
    }

    [HttpPost("payments/{paymentId}/capture-outside")]
    public IActionResult CaptureOutside(string paymentId) =>
        !On ? NotFound() : mollie.CaptureOutside(paymentId) ? NoContent() : Problem(statusCode: 409, title: $"Payment {paymentId} is not authorized.");

    [HttpPost("payments/{paymentId}/webhook")]
    public async Task<IActionResult> Webhook(string paymentId)
    {
        if (!On)
        {
            return NotFound();
        }

        await mollie.SendWebhookAsync(paymentId);
        return NoContent();
    }
}
