using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Hosting;

/// <summary>/healthz and /readyz over real HTTP: no key needed, nothing revealed, and readiness that can say no.</summary>
public sealed class ReadinessTests
{
    [Test]
    public async Task AliveAndReadyNeedNoKeyAndNameOnlyTheirChecks()
    {
        await using var app = IntegratorApp.Start();

        var alive = await app.Client.GetAsync("/healthz");
        var ready = await app.Client.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)alive.StatusCode, Is.EqualTo(200));
            Assert.That((int)ready.StatusCode, Is.EqualTo(200), body);
            Assert.That(body, Does.Contain("\"database\":\"Healthy\"").And.Contain("\"message-keys\":\"Healthy\"").And.Contain("\"notification-dispatcher\":\"Healthy\""));
            Assert.That(body, Does.Not.Contain("Data Source").And.Not.Contain(app.Folder));
        });
    }

    [Test]
    public async Task ADatabaseBehindThisBuildsMigrationsIsNotReady()
    {
        await using var app = IntegratorApp.Start();
        await app.ExecuteAsync("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)");

        var ready = await app.Client.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)ready.StatusCode, Is.EqualTo(503));
            Assert.That(body, Does.Contain("\"database\":\"Unhealthy\""));
            Assert.That(body, Does.Not.Contain("migrations pending"), "the reason stays in the server");
        });
        Assert.That((int)(await app.Client.GetAsync("/healthz")).StatusCode, Is.EqualTo(200), "alive all the same");
    }
}
