using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Journal;

/// <summary>Refusals and replay counts are written in the background, once a second; a graceful stop writes the rest.</summary>
public sealed class JournalFlushTests
{
    [Test]
    public async Task AGracefulStopWritesTheRefusalsAndReplayCountsGatheredSoFar()
    {
        await using var survivor = IntegratorApp.Start();
        var stopping = IntegratorApp.Start(shareWith: survivor);
        var reservation = await stopping.ReserveAsync();
        var cancelId = GspMessages.NewId("cancel");
        var refusedId = GspMessages.NewId("reserve");
        for (var i = 0; i < 3; i++)
        {
            (await stopping.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, stopping.Clock.NowMillis, reservation))).AssertStatus(200);
        }

        (await stopping.PostAsync("reserveFunds", GspMessages.Reserve(refusedId, stopping.Clock.NowMillis, currency: "INR"))).AssertError(400, "INVALID_FIELD_VALUE");

        await stopping.DisposeAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await survivor.ScalarAsync<long>("SELECT COALESCE(SUM(replay_count), 0) FROM request_replays WHERE request_id = @cancelId", new { cancelId }), Is.EqualTo(2));
            Assert.That(await survivor.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @refusedId AND outcome = 'REJECTED'", new { refusedId }), Is.EqualTo(1));
        });
    }
}
