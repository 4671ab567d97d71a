using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Idempotency;

/// <summary>
/// Two Integrator instances on one SQLite file: duplicates that arrive at different instances are kept apart by the
/// database key alone (no shared process state), and still execute once.
/// </summary>
public sealed class TwoServersOneDatabaseTests
{
    [Test]
    public async Task DuplicatesSplitAcrossInstancesExecuteOnce()
    {
        await using var first = IntegratorApp.Start();
        await using var second = IntegratorApp.Start(shareWith: first);
        var reservation = await first.ReserveAsync(amountMicros: 2_000_000);
        var requestId = GspMessages.NewId("cancel");
        var body = GspMessages.Cancel(requestId, first.Clock.NowMillis, reservation);

        var results = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => (i % 2 == 0 ? first : second).PostAsync("cancelFundsReservation", body.DeepClone())));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200), string.Join("\n", results.Select(r => r.Raw).Distinct()));
            Assert.That(await first.ScalarAsync<long>("SELECT COUNT(*) FROM reservation_events WHERE to_state = 'CANCELLED' AND request_id = @requestId", new { requestId }), Is.EqualTo(1));
            Assert.That(await first.ScalarAsync<long>("SELECT COUNT(*) FROM notifications WHERE cancel_request_id = @requestId", new { requestId }), Is.EqualTo(1));
            Assert.That(await first.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @requestId AND outcome = 'EXECUTED'", new { requestId }), Is.EqualTo(1));
            Assert.That(await first.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero);
        });
    }

    [Test]
    public async Task ConcurrentReservesOnTwoInstancesNeverOverdrawTheAccount()
    {
        await using var first = IntegratorApp.Start();
        await using var second = IntegratorApp.Start(shareWith: first);

        // acct-poor has 5,000,000 micros: at most five of these 1,000,000 holds fit.
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            (i % 2 == 0 ? first : second).PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), first.Clock.NowMillis, 1_000_000, "tok-poor"))));

        Assert.That(results.Count(r => r.Field("result") == "SUCCESS"), Is.EqualTo(5));
        Assert.That(results.Count(r => r.Field("result") == "INSUFFICIENT_FUNDS"), Is.EqualTo(7));
        Assert.That(await first.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-poor'"), Is.EqualTo(5_000_000));
    }
}
