using System.Buffers.Text;
using System.Text;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// The inbound rules of MessageSecurity:Mode=Pgp (docs/gsp-rules.md §6, docs/pgp-profile.md): anything that does not decrypt is 400
/// INVALID_PAYLOAD_ENCRYPTION with one and the same answer; a missing or bad signature is 401 INVALID_PAYLOAD_SIGNATURE;
/// unknown extra signatures are tolerated; a refused call writes nothing but its journal entry, which holds no request.
/// </summary>
public sealed class MessageSecurityTests
{
    private Gpg _gpg = null!;
    private IntegratorApp _app = null!;
    private string _reservation = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _gpg = new Gpg(TestKeys.Secret("google-1"), TestKeys.Secret("stranger"), TestKeys.Public("integrator-1"));
        _app = IntegratorApp.Start(TestKeys.PgpSettings());
        _reservation = await _app.ReserveAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        _gpg.Dispose();
    }

    public static IEnumerable<TestCaseData> Undecryptable()
    {
        yield return new TestCaseData("wrong recipient", (Func<Gpg, byte[], byte[]>)((g, b) => g.SignAndEncrypt(b, ["google-1"], ["stranger"])));
        yield return new TestCaseData("truncated", (Func<Gpg, byte[], byte[]>)((g, b) => Valid(g, b)[..(Valid(g, b).Length / 2)]));
        yield return new TestCaseData("bit flip in the session key", (Func<Gpg, byte[], byte[]>)((g, b) => Flip(Valid(g, b), 40)));
        yield return new TestCaseData("bit flip in the ciphertext", (Func<Gpg, byte[], byte[]>)((g, b) => Flip(Valid(g, b), 400)));
        yield return new TestCaseData("bit flip in the last byte (MDC)", (Func<Gpg, byte[], byte[]>)((g, b) => Flip(Valid(g, b), -1)));
        yield return new TestCaseData("random bytes", (Func<Gpg, byte[], byte[]>)((_, _) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(600)));
        yield return new TestCaseData("plaintext JSON", (Func<Gpg, byte[], byte[]>)((_, b) => b));
    }

    [TestCaseSource(nameof(Undecryptable))]
    public async Task UndecryptableBodiesAreOneAnswer400(string name, Func<Gpg, byte[], byte[]> make)
    {
        var result = await RefusedAsync(Base64UrlOf(make(_gpg, CancelBody())), "application/octet-stream");

        result.AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
        Assert.That(result.Field("errorDescription"), Is.EqualTo("The payload could not be decrypted."), name);
    }

    [Test]
    public async Task CompressionBombIs400()
    {
        var zeros = new byte[20 * 1024 * 1024];
        var bomb = _gpg.SignAndEncrypt(zeros, ["google-1"], ["integrator-1"], extra: ["--compress-algo", "zlib", "--compress-level", "9"]);
        Assert.That(bomb, Has.Length.LessThan(48 * 1024), "20 MiB that compress into one request body");

        var result = await RefusedAsync(Base64UrlOf(bomb), "application/octet-stream");

        result.AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    [TestCase("zip")]
    [TestCase("zlib")]
    public async Task CompressedRequestsAreAccepted(string algorithm)
    {
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis).ToJsonString());
        var message = _gpg.SignAndEncrypt(body, ["google-1"], ["integrator-1"], extra: ["--compress-algo", algorithm]);
        (await _app.PostRawAsync("echo", Base64UrlOf(message), "application/octet-stream")).AssertStatus(200);
    }

    [Test]
    public async Task Bzip2IsNotInTheProfile()
    {
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis).ToJsonString());
        var message = _gpg.SignAndEncrypt(body, ["google-1"], ["integrator-1"], extra: ["--compress-algo", "bzip2"]);
        (await RefusedAsync(Base64UrlOf(message), "application/octet-stream")).AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    [TestCase("not base64url: spaces and *", Description = "outside the alphabet")]
    [TestCase("YWJj+/==", Description = "standard base64, not base64url")]
    [TestCase("", Description = "empty")]
    public async Task BodiesThatAreNotBase64UrlAre400(string body)
    {
        var result = await RefusedAsync(Encoding.ASCII.GetBytes(body), "application/octet-stream");
        result.AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    [TestCase("application/json")]
    [TestCase("text/plain")]
    [TestCase(null)]
    public async Task WrongContentTypeIs400(string? contentType)
    {
        var result = await RefusedAsync(Base64UrlOf(Valid(_gpg, CancelBody())), contentType);
        result.AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    [Test]
    public async Task UnsignedIs401()
    {
        var result = await RefusedAsync(Base64UrlOf(_gpg.SignAndEncrypt(CancelBody(), [], ["integrator-1"])), "application/octet-stream");
        result.AssertError(401, "INVALID_PAYLOAD_SIGNATURE");
    }

    [Test]
    public async Task SignedOnlyByAnUnknownKeyIs401()
    {
        var result = await RefusedAsync(Base64UrlOf(_gpg.SignAndEncrypt(CancelBody(), ["stranger"], ["integrator-1"])), "application/octet-stream");
        result.AssertError(401, "INVALID_PAYLOAD_SIGNATURE");
    }

    [TestCase("google-1", "stranger")]
    [TestCase("stranger", "google-1")]
    public async Task AnUnknownSignatureBesideGooglesIsTolerated(string first, string second)
    {
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis).ToJsonString());
        var result = await _app.PostRawAsync("echo", Base64UrlOf(_gpg.SignAndEncrypt(body, [first, second], ["integrator-1"])), "application/octet-stream");
        result.AssertStatus(200);
    }

    [Test]
    public async Task ErrorsAfterAuthenticationAreSealedWithTheirDetails()
    {
        var result = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("c"), _app.Clock.NowMillis, "no-such-reservation"));

        result.AssertError(404, "INVALID_IDENTIFIER");
        Assert.That(result.ContentType, Is.EqualTo("application/octet-stream; charset=utf-8"));
        Assert.That(result.Field("errorDescription"), Does.Contain("reserveFundsRequestId"));
    }

    [Test]
    public async Task AnAuthenticBodyThatIsNotJsonIsInvalidDecryptedRequest()
    {
        var result = await _app.PostRawAsync("cancelFundsReservation", _app.ClientCodec.Seal("not json"u8), _app.ClientCodec.ContentType);
        result.AssertError(400, "INVALID_DECRYPTED_REQUEST");
        Assert.That(result.ContentType, Is.EqualTo("application/octet-stream; charset=utf-8"));
    }

    [Test]
    public async Task TheIdempotencySuiteRunsOnPgpToo()
    {
        // A smoke of the full path; IdempotentCancelTests runs entirely in both modes.
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, await _app.ReserveAsync());
        var first = await _app.PostAsync("cancelFundsReservation", cancel);
        var replay = await _app.PostAsync("cancelFundsReservation", cancel);
        first.AssertStatus(200);
        Assert.That(replay.Field("result"), Is.EqualTo("SUCCESS"));
    }

    /// <summary>
    /// Posts a body that must be refused, and proves it changed nothing but its minute's refusal count: before
    /// authentication a call is counted, never journaled one by one.
    /// </summary>
    private async Task<GspResult> RefusedAsync(byte[] body, string? contentType)
    {
        var state = await _app.StateAsync();

        var result = await _app.PostRawAsync("cancelFundsReservation", body, contentType);

        Assert.That(result.ContentType, Does.StartWith("application/json"), "before authentication the answer is plain and says no more than its code");
        Assert.That(await _app.StateAsync(), Is.EqualTo(state));
        var callId = result.Field("paymentIntegratorErrorIdentifier");
        await Eventually.TrueAsync(
            async () => await _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_refusals WHERE last_call_id = @callId", new { callId }) == 1,
            "counted");
        var counted = await _app.QueryAsync<(string Method, long HttpStatus)>(
            "SELECT method, http_status FROM request_refusals WHERE last_call_id = @callId", new { callId });
        Assert.That(counted[0], Is.EqualTo(("cancelFundsReservation", (long)result.Status)));
        Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE call_id = @callId", new { callId }), Is.Zero, "nothing of an unauthenticated request is kept");
        return result;
    }

    private byte[] CancelBody() =>
        Encoding.UTF8.GetBytes(GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, _reservation).ToJsonString());

    private static byte[] Valid(Gpg gpg, byte[] body) => gpg.SignAndEncrypt(body, ["google-1"], ["integrator-1"]);

    private static byte[] Flip(byte[] message, int index)
    {
        var flipped = (byte[])message.Clone();
        flipped[index < 0 ? flipped.Length + index : index] ^= 0x10;
        return flipped;
    }

    private static byte[] Base64UrlOf(byte[] message) => Encoding.ASCII.GetBytes(Base64Url.EncodeToString(message));
}
