using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// GnuPG as the independent peer in Google's role, both directions: what `gpg --sign --digest-algo SHA384 --encrypt
/// --cipher-algo AES256` makes is accepted, and what we answer and notify decrypts and verifies with gpg.
/// </summary>
public sealed class GnuPgInteropTests
{
    // gpg prints the primary key's fingerprint in VALIDSIG; integrator-1 signs with its primary key.
    private static readonly string OurFingerprint = "VALIDSIG";

    private Gpg _google = null!;
    private IntegratorApp _app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _google = new Gpg(TestKeys.Secret("google-1"), TestKeys.Public("integrator-1"), TestKeys.Public("integrator-2"));
        _app = IntegratorApp.Start(TestKeys.PgpSettings());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        _google.Dispose();
    }

    [TestCase(false, Description = "binary OpenPGP message, base64url")]
    [TestCase(true, Description = "gpg --armor output, base64url (Google's documented command uses --armor)")]
    public async Task GpgSignedAndEncryptedRequestIsAcceptedAndTheAnswerVerifiesWithGpg(bool armor)
    {
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis, "from gpg").ToJsonString());
        var message = _google.SignAndEncrypt(body, ["google-1"], ["integrator-1"], armor);

        var result = await _app.PostRawAsync("echo", Base64UrlBody(message), "application/octet-stream; charset=utf-8");

        Assert.That(result.Status, Is.EqualTo(200), _app.Logs.ToString());
        Assert.That(result.ContentType, Is.EqualTo("application/octet-stream; charset=utf-8"));
        var (content, status) = _google.Decrypt(Base64Url.DecodeFromUtf8(result.Body));
        Assert.Multiple(() =>
        {
            Assert.That(status, Does.Contain("DECRYPTION_OKAY"));
            Assert.That(status, Does.Contain(OurFingerprint));
            Assert.That(status, Does.Contain("GOODSIG"));
            Assert.That(JsonNode.Parse(content)!["clientMessage"]!.GetValue<string>(), Is.EqualTo("from gpg"));
            Assert.That(Encoding.ASCII.GetString(result.Body), Does.Match("^[A-Za-z0-9_-]+$"), "base64url without padding");
        });
    }

    private static byte[] Base64UrlBody(byte[] message) => Encoding.ASCII.GetBytes(Base64Url.EncodeToString(message));
}

/// <summary>Notifications in PGP mode: GnuPG, holding Google's key, decrypts them and verifies our signature.</summary>
public sealed class PgpNotificationTests
{
    [Test]
    public async Task NotificationsDecryptAndVerifyWithGpgAndGooglesSealedAnswerIsAccepted()
    {
        await using var google = await FakeGoogle.StartAsync(codec: TestKeys.GoogleSide());
        var settings = Integrator.Tests.Notifications.NotificationDeliveryTests.Delivering(google);
        foreach (var (key, value) in TestKeys.PgpSettings())
        {
            settings[key] = value;
        }

        await using var app = IntegratorApp.Start(settings);
        var cancelId = await app.ReserveAndCancelAsync();
        await Eventually.TrueAsync(
            async () => await Integrator.Tests.Notifications.NotificationDeliveryTests.StatusAsync(app, cancelId) == "DELIVERED",
            "delivered: Google's signed and encrypted answer was accepted");

        var received = google.Received.Single();
        Assert.That(received.ContentType, Is.EqualTo("application/octet-stream; charset=utf-8"));
        using var gpg = new Gpg(TestKeys.Secret("google-1"), TestKeys.Public("integrator-1"));
        var (content, status) = gpg.Decrypt(Base64Url.DecodeFromUtf8(received.RawBody));
        Assert.That(status, Does.Contain("DECRYPTION_OKAY").And.Contain("GOODSIG"));
        Assert.That(JsonNode.Parse(content)!["cancelFundsReservationRequestId"]!.GetValue<string>(), Is.EqualTo(cancelId));
    }

    [Test]
    public async Task AnAnswerNotSignedByGoogleIsAFailedAttempt()
    {
        // The receiver signs its answers with a key Google never had: the attempt must not count as delivered.
        await using var impostor = await FakeGoogle.StartAsync(codec: TestKeys.GoogleSide(google: ["stranger"]));
        var settings = Integrator.Tests.Notifications.NotificationDeliveryTests.Delivering(impostor);
        foreach (var (key, value) in TestKeys.PgpSettings())
        {
            settings[key] = value;
        }

        await using var app = IntegratorApp.Start(settings);
        var cancelId = await app.ReserveAndCancelAsync();
        await Integrator.Tests.Notifications.NotificationDeliveryTests.WaitForAttemptsAsync(app, cancelId, 1);

        Assert.That(await Integrator.Tests.Notifications.NotificationDeliveryTests.StatusAsync(app, cancelId), Is.EqualTo("PENDING"));
        Assert.That(await app.ScalarAsync<string>("SELECT last_error FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId }),
            Is.EqualTo("response refused: INVALID_PAYLOAD_SIGNATURE"));
    }
}
