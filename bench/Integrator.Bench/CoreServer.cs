using Integrator.Core.Backend.StandIn;
using Integrator.Core.Ledger;

namespace Integrator.Bench;

/// <summary>
/// The bank's core for the back-end scenarios: the reference stand-in of the Http contract on Kestrel, its own process,
/// with <c>--latency-ms</c> added to every call (a core across a network).
/// </summary>
internal static class CoreServer
{
    public const string Prefix = "/core";

    public static void Run(string[] args)
    {
        var latency = args.SkipWhile(a => a != "--latency-ms").Skip(1).Select(int.Parse).FirstOrDefault();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var core = new StandInCore(TimeProvider.System) { Latency = TimeSpan.FromMilliseconds(latency) };
        core.Open(BenchRun.BenchAccount, "USD", 9_000_000_000_000_000, AccountStatus.Active);
        app.MapMethods(Prefix + "/{**path}", ["GET", "POST"], async (HttpContext context, string path) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var answer = await core.HandleAsync(
                new StandInRequest(
                    context.Request.Method,
                    "/" + path,
                    context.Request.QueryString.Value,
                    context.Request.Headers.Authorization.FirstOrDefault(),
                    context.Request.Headers["Idempotency-Key"].FirstOrDefault(),
                    body.ToArray()),
                context.RequestAborted);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body);
        });
        app.Run();
    }
}
