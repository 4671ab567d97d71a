using System.Diagnostics.Metrics;
using Integrator.Core.Notifications;
using Integrator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Notifications;

/// <summary>The operator's view of the outbox through System.Diagnostics.Metrics.</summary>
public sealed class NotificationMetricsTests
{
    [Test]
    public async Task PendingAgeAttemptsAndDeadAreReported()
    {
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = _ => 500;
        await using var app = IntegratorApp.Start(NotificationDeliveryTests.Delivering(google));
        using var metrics = new MeterRecorder(app.Services.GetRequiredService<IMeterFactory>(), NotificationMetrics.MeterName);

        var first = await app.ReserveAndCancelAsync();
        var second = await app.ReserveAndCancelAsync();
        await NotificationDeliveryTests.WaitForAttemptsAsync(app, first, 1);
        await NotificationDeliveryTests.WaitForAttemptsAsync(app, second, 1);
        app.Clock.Advance(TimeSpan.FromSeconds(1)); // the rows are now a second old (retries are due much later)

        await Eventually.TrueAsync(() => Task.FromResult(metrics.Read("integrator.notifications.pending") == 2), "pending = 2");
        Assert.That(metrics.Read("integrator.notifications.oldest_pending_age"), Is.EqualTo(1.0).Within(0.01));
        Assert.That(metrics.Read("integrator.notifications.attempts"), Is.GreaterThanOrEqualTo(2));
        Assert.That(metrics.Read("integrator.notifications.dead"), Is.Zero);

        app.Clock.Advance(TimeSpan.FromHours(73));
        await Eventually.TrueAsync(() => Task.FromResult(metrics.Read("integrator.notifications.dead") == 2), "dead = 2");
        Assert.That(metrics.Read("integrator.notifications.pending"), Is.Zero);
    }
}
