using System.Buffers.Text;
using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Redirect;

/// <summary>getGeneratePaymentTokenRedirectStatus on the server's own clock: a redirect nobody can finish any more ends.</summary>
public sealed class RedirectStatusTests
{
    [Test]
    public async Task ARedirectNoBrowserCanFinishEndsAsUserExitedPaymentFlowWithItsNotification()
    {
        await using var app = IntegratorApp.Start();
        var redirectRequestId = GspMessages.NewId("rr");
        var request = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(GspMessages.Redirect(redirectRequestId, app.Clock.NowMillis).ToJsonString()));
        using var arrived = await app.Client.GetAsync(
            $"/redirect-payment-token-v1/redirect?redirectRequest={request}&callbackUrl={Uri.EscapeDataString("https://pay.google.com/return")}");
        Assert.That((int)arrived.StatusCode, Is.EqualTo(200));

        // Arrival at the last moment (MaxAge 10 min) plus a browser session (15 min): still pending at 24 minutes.
        app.Clock.Advance(TimeSpan.FromMinutes(24));
        var pending = await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(GspMessages.NewId("s"), app.Clock.NowMillis, redirectRequestId));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var ended = await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(GspMessages.NewId("s"), app.Clock.NowMillis, redirectRequestId));

        Assert.Multiple(async () =>
        {
            Assert.That(RedirectServer.ResultOf(pending.Json["result"]), Is.EqualTo("pending"));
            Assert.That(RedirectServer.ResultOf(ended.Json["result"]), Is.EqualTo("userExitedPaymentFlow"));
            Assert.That(
                await app.ScalarAsync<string>("SELECT result FROM outbox WHERE redirect_request_id = @Id", new { Id = redirectRequestId }),
                Is.EqualTo("userExitedPaymentFlow"),
                "Google is told too");
        });
    }

    [Test]
    public async Task AStatusCallIsCheckedLikeEveryMethod()
    {
        await using var app = IntegratorApp.Start();
        var missing = GspMessages.RedirectStatus(GspMessages.NewId("s"), app.Clock.NowMillis, "rr-1");
        missing.Remove("redirectRequestId");
        (await app.PostAsync("getGeneratePaymentTokenRedirectStatus", missing)).AssertError(400, "MISSING_REQUIRED_FIELD");
        (await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(GspMessages.NewId("s"), app.Clock.NowMillis, "bad id!")))
            .AssertError(400, "INVALID_FIELD_VALUE");
        (await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(GspMessages.NewId("s"), app.Clock.NowMillis - 120_000, "rr-1")))
            .AssertError(400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        var key = GspMessages.NewId("s");
        (await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(key, app.Clock.NowMillis, "rr-unknown")))
            .AssertError(404, "INVALID_IDENTIFIER");
        (await app.PostAsync("getGeneratePaymentTokenRedirectStatus", GspMessages.RedirectStatus(key, app.Clock.NowMillis, "rr-unknown")))
            .AssertError(404, "INVALID_IDENTIFIER");
    }
}
