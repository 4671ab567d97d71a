using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Remittance;

/// <summary>
/// Two Integrator server processes on one database, both running the reconciliation job: the instance that is
/// accepting a statement is SIGKILLed while its acceptRemittanceStatement is in flight; the other takes the statement
/// over when the lease runs out and accepts it with the same requestId, so Google sees one acceptance.
/// </summary>
[TestFixtureSource(typeof(StorageTarget), nameof(StorageTarget.All))]
[NonParallelizable]
public sealed class RemittanceFailoverTests(StorageTarget target)
{
    [Test]
    public async Task AKillDuringAcceptanceLeavesExactlyOneAcceptanceByRequestId()
    {
        target.IgnoreIfUnconfigured();
        var folder = Directory.CreateTempSubdirectory("remittance-failover-").FullName;
        var database = await target.CreateDatabaseAsync(folder);
        await using var google = await FakeGoogle.StartAsync();
        google.Respond = call => call == 2 ? 0 : 200; // 1: details; 2: the first acceptance hangs until its sender dies
        var environment = ServerProcess.Environment(folder, new Dictionary<string, string?>
        {
            ["Google__BaseUrl"] = google.BaseUrl.ToString(),
            ["Notifications__HttpTimeout"] = "00:00:02",
            ["Remittance__PollInterval"] = "00:00:00.100",
            ["Remittance__Lease"] = "00:00:04",
            ["Logging__LogLevel__Default"] = "Warning",
        }, database);
        var first = await ServerProcess.StartAsync(environment);
        var second = await ServerProcess.StartAsync(environment);
        await using var db = TestDatabases.Open(database);
        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var reserveId = GspMessages.NewId("reserve");
            (await first.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, now, 3_000_000))).AssertStatus(200);
            var captureId = GspMessages.NewId("capture");
            (await first.PostAsync("captureFundsReservation", GspMessages.Capture(captureId, now, reserveId, 3_000_000))).AssertStatus(200);
            var statementId = GspMessages.NewId("statement");
            google.Statements[statementId] = new FakeStatement([new(captureId, 3_000_000)]);
            (await second.PostAsync("remittanceStatementNotification", GspMessages.Statement(statementId, now, now - 60_000, now + 60_000, 3_000_000)))
                .AssertStatus(200);

            await Eventually.TrueAsync(() => Task.FromResult(google.CallsTo("acceptRemittanceStatement").Count == 1), "the first acceptance is in flight");
            var owner = await db.QuerySingleOrDefaultAsync<string>("SELECT lease_owner FROM remittance_statements", null, CancellationToken.None);
            var accepting = owner!.Contains($":{first.ProcessId}:", StringComparison.Ordinal) ? first : second;
            accepting.Kill();

            await Eventually.TrueAsync(
                async () => await db.QuerySingleOrDefaultAsync<string>("SELECT status FROM remittance_statements", null, CancellationToken.None) == "ACCEPTED",
                "the surviving instance takes over and accepts",
                TimeSpan.FromSeconds(30));
            await Task.Delay(500);

            var accepts = google.CallsTo("acceptRemittanceStatement");
            Assert.Multiple(() =>
            {
                Assert.That(accepts, Has.Count.EqualTo(2), "the one in flight when its sender died, and the take-over");
                Assert.That(accepts.Select(a => a.AnyRequestId).Distinct().Count(), Is.EqualTo(1), "one acceptance as Google de-duplicates: one requestId");
                Assert.That(accepts.Select(a => JsonNode.Parse(a.Json!)!["statementId"]!.GetValue<string>()), Is.All.EqualTo(statementId));
            });
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            await database.Drop();
            Directory.Delete(folder, recursive: true);
        }
    }
}
