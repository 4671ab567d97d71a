using Integrator.Api.Gsp;
using Integrator.Core.Backend;
using Integrator.Core.Backend.StandIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Backend;

/// <summary>
/// Development only (<c>Backend:Provider=Http</c> with no <c>Backend:Http:BaseUrl</c>): the in-process stand-in core.
/// <c>GET /dev/core</c> shows its accounts, holds, refunds, armed faults and the calls it received; <c>/dev/core/api/…</c>
/// is the Http contract itself, for curl (the same core Integrator calls); <c>POST /dev/core/faults</c> arms a fault.
/// Absent (404) otherwise.
/// </summary>
[ApiController]
[Route("dev/core")]
public sealed class CoreStandInController(StandInCore core, IOptions<BackendOptions> backend, TimeProvider time) : ControllerBase
{
    /// <summary>A fault to arm: <c>{"kind": "pending", "operation": "release", "count": 1, "delayMs": 3000}</c>.</summary>
    public sealed record FaultRequest(string Kind, string? Operation, int? Count, int? Seconds, int? DelayMs);

    public sealed record LatencyRequest(int Milliseconds);

    private bool On => backend.Value.Provider == BackendProvider.Http && backend.Value.Http.StandIn;

    /// <summary>The fault a request arms (bounded: at most 10,000 calls, an hour, ten minutes' delay), or null if it names none.</summary>
    public static StandInFault? FaultOf(FaultRequest request, TimeProvider time)
    {
        var operation = request.Operation ?? "*";
        return !StandInFault.Kinds.Contains(request.Kind) || !StandInFault.Operations.Contains(operation)
            ? null
            : new StandInFault
            {
                Kind = request.Kind,
                Operation = operation,
                Count = Math.Clamp(request.Count ?? (request.Seconds is null ? 1 : 0), 0, 10_000),
                Until = request.Seconds is { } seconds ? time.GetUtcNow().AddSeconds(Math.Clamp(seconds, 1, 3600)) : null,
                DelayMs = Math.Clamp(request.DelayMs ?? 0, 0, 600_000),
            };
    }

    [HttpGet]
    public IActionResult State() => On ? Ok(core.Snapshot()) : NotFound();

    [HttpPost("faults")]
    public IActionResult Arm(FaultRequest request)
    {
        if (!On)
        {
            return NotFound();
        }

        if (FaultOf(request, time) is not { } fault)
        {
            return Problem(
                statusCode: 400,
                title: "Unknown fault.",
                detail: $"kind is one of {string.Join(", ", StandInFault.Kinds)}; operation one of {string.Join(", ", StandInFault.Operations)}.");
        }

        core.Faults.Arm(fault);
        return Ok(StandInCore.FaultsJson(core.Faults));
    }

    [HttpDelete("faults")]
    public IActionResult Clear()
    {
        if (!On)
        {
            return NotFound();
        }

        core.Faults.Clear();
        return NoContent();
    }

    /// <summary>Every call of the contract takes this long more (0 to stop).</summary>
    [HttpPost("latency")]
    public IActionResult Latency(LatencyRequest request)
    {
        if (!On)
        {
            return NotFound();
        }

        core.Latency = TimeSpan.FromMilliseconds(Math.Clamp(request.Milliseconds, 0, 60_000));
        return NoContent();
    }

    /// <summary>Someone other than Integrator captures the hold (a teller): a release of it is then refused.</summary>
    [HttpPost("holds/{holdId}/capture-outside")]
    public IActionResult CaptureOutside(string holdId) =>
        !On ? NotFound() : core.CaptureOutside(holdId) ? NoContent() : Problem(statusCode: 409, title: $"Hold {holdId} is not HELD.");

    /// <summary>The contract, as a bank's core answers it.</summary>
    [HttpGet("api/{**path}")]
    [HttpPost("api/{**path}")]
    public async Task<IActionResult> Contract(string path, CancellationToken ct)
    {
        if (!On)
        {
            return NotFound();
        }

        var (read, body) = await RequestBody.ReadAsync(Request, 64 * 1024, TimeSpan.FromSeconds(5), ct);
        if (read != BodyRead.Complete)
        {
            return Problem(statusCode: 413, title: "The stand-in reads at most 64 KiB, within 5 seconds.");
        }

        var answer = await core.HandleAsync(
            new StandInRequest(
                Request.Method,
                "/" + path,
                Request.QueryString.Value,
                Request.Headers.Authorization.FirstOrDefault(),
                Request.Headers["Idempotency-Key"].FirstOrDefault(),
                body.ToArray()),
            ct);
        if (answer.Lost)
        {
            HttpContext.Abort();
            return new EmptyResult();
        }

        return new ContentResult { StatusCode = answer.Status, Content = answer.Body, ContentType = "application/json" };
    }
}
