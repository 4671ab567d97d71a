using System.Text.RegularExpressions;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Hosting;

/// <summary>One access-log line per Google call: method, call id, status, outcome, latency — never a body or token.</summary>
public sealed partial class AccessLogTests
{
    [Test]
    public async Task EveryGoogleCallLeavesOneLineWithItsOutcomeAndNoToken()
    {
        await using var app = IntegratorApp.Start();
        var requestId = GspMessages.NewId("reserve");
        var body = GspMessages.Reserve(requestId, app.Clock.NowMillis, 1_000_000, "tok-rich");

        var first = await app.PostAsync("reserveFunds", body);
        var replay = await app.PostAsync("reserveFunds", body.DeepClone());
        var refused = await app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("cancel"), app.Clock.NowMillis, "no-such-reservation"));

        var lines = app.Logs.Lines.Where(l => AccessLine().IsMatch(l)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Exactly(1).Match(@"reserveFunds \S+ 200 executed in \d+ ms"));
            Assert.That(lines, Has.Exactly(1).Match(@"reserveFunds \S+ 200 replayed in \d+ ms"));
            Assert.That(lines, Has.Exactly(1).Match("cancelFundsReservation " + refused.Field("paymentIntegratorErrorIdentifier") + @" 404 INVALID_IDENTIFIER in \d+ ms"));
            Assert.That(app.Logs.ToString(), Does.Not.Contain("tok-rich"));
            Assert.That((first.Status, replay.Status), Is.EqualTo((200, 200)));
        });
    }

    [GeneratedRegex(@"(reserveFunds|cancelFundsReservation) \S+ \d{3} \S+ in \d+ ms")]
    private static partial Regex AccessLine();
}
