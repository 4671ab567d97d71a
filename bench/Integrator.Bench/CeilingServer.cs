namespace Integrator.Bench;

/// <summary>The HTTP ceiling: the same host (ASP.NET Core, Kestrel, 127.0.0.1) answering a POST with nothing to do.</summary>
internal static class CeilingServer
{
    public const string Path = "/empty";

    public static void Run(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost(Path, async context =>
        {
            // Read the body and answer a small JSON document, as a replay does, without any work between.
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{ "responseHeader": { "responseTimestamp": "1" }, "result": "SUCCESS" }""");
        });
        app.Run();
    }
}
