using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Integrator.Core.Pipeline;
using Integrator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Hosting;

/// <summary>Metrics per Google method, traces from the call to the database, and their OTLP export when configured.</summary>
public sealed class TelemetryTests
{
    [Test]
    public async Task EachGoogleCallIsCountedByOutcomeAndTracedDownToTheDatabaseWithoutItsToken()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Integrator.Core.Telemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = IntegratorApp.Start();
        using var metrics = new MeterRecorder(app.Services.GetRequiredService<IMeterFactory>(), GspMetrics.MeterName);
        var requestId = GspMessages.NewId("reserve");
        var body = GspMessages.Reserve(requestId, app.Clock.NowMillis, 1_000_000, "tok-rich");

        (await app.PostAsync("reserveFunds", body)).AssertStatus(200);
        (await app.PostAsync("reserveFunds", body.DeepClone())).AssertStatus(200);
        (await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, "unknown"))).AssertStatus(404);

        var callId = await app.ScalarAsync<string>("SELECT call_id FROM request_journal WHERE request_id = @requestId AND outcome = 'EXECUTED'", new { requestId });
        var call = spans.Single(s => s.GetTagItem("gsp.call_id") as string == callId);
        var inside = spans.Where(s => s.TraceId == call.TraceId).Select(s => s.OperationName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Read("integrator.gsp.requests{method=reserveFunds}"), Is.EqualTo(2));
            Assert.That(metrics.Read("integrator.gsp.requests{method=cancelFundsReservation}"), Is.EqualTo(1));
            Assert.That(call.OperationName, Is.EqualTo("gsp reserveFunds"));
            Assert.That(call.GetTagItem("gsp.outcome"), Is.EqualTo("executed"));
            Assert.That(inside, Does.Contain("idempotent reserveFunds").And.Contain("db write"));
            Assert.That(spans.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? ""), Has.None.Contains("tok-rich"));
        });
    }

    [Test]
    public async Task WithAnOtlpEndpointConfiguredTracesAndMetricsAreExported()
    {
        var port = FakeGoogle.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                try
                {
                    var context = await collector.GetContextAsync();
                    using var buffer = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(buffer);
                    received.Enqueue((context.Request.Url!.AbsolutePath, buffer.ToArray()));
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        var folder = Directory.CreateTempSubdirectory("otlp-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(ServerProcess.Environment(folder, new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            }));
            (await server.PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("reserve"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1_000_000, "tok-rich")))
                .AssertStatus(200);

            await Eventually.TrueAsync(
                () => Task.FromResult(received.Any(r => r.Path == "/v1/traces" && Encoding.UTF8.GetString(r.Body).Contains("gsp reserveFunds", StringComparison.Ordinal))),
                "the call's span reaches the collector");
            await Eventually.TrueAsync(
                () => Task.FromResult(received.Any(r => r.Path == "/v1/metrics" && Encoding.UTF8.GetString(r.Body).Contains("integrator.gsp.requests", StringComparison.Ordinal))),
                "the call's count reaches the collector");
            Assert.That(received.Select(r => Encoding.UTF8.GetString(r.Body)), Has.None.Contains("tok-rich"));
        }
        finally
        {
            collector.Stop();
            Directory.Delete(folder, recursive: true);
        }
    }
}
