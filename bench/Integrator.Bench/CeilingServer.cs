namespace Integrator.Bench;

/// <summary>The HTTP ceiling: the same host (ASP.NET Core, Kestrel, 127.0.0.1) answering a POST with nothing to do.</summary>
internal static class CeilingServer
{
    public const string Path = "/empty";

    private static readonly byte[] Answer = """{ "responseHeader": { "responseTimestamp": "1" }, "result": "SUCCESS" }"""u8.ToArray();

    public static void Run(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost(Path, async context =>
        {
            // Read the body and answer a small JSON document with a length, as a replay does, with no work between.
            while (true)
            {
                var read = await context.Request.BodyReader.ReadAsync();
                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Answer.Length;
            await context.Response.Body.WriteAsync(Answer);
        });
        app.Run();
    }
}
