using System.Buffers.Text;
using System.Text;
using Integrator.Core.Security.Pgp;
using Integrator.Tests.Infrastructure;

namespace Integrator.Tests.Security;

/// <summary>
/// Several keys of ours and of Google's active at once (rotation): each works, responses are encrypted to every active
/// Google key, and expired or revoked keys are refused in every role.
/// </summary>
public sealed class KeyRotationTests
{
    private static readonly string[] Ours = ["integrator-1", "integrator-2", "integrator-expired", "integrator-revoked"];
    private static readonly string[] Google = ["google-1", "google-2", "google-expired", "google-revoked"];

    private IntegratorApp _app = null!;
    private PgpKeyring _googleSide = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = IntegratorApp.Start(TestKeys.PgpSettings(Ours, Google));
        _googleSide = TestKeys.GoogleKeyring(Google.Append("stranger").ToArray(), Ours);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    [TestCase("google-1", "integrator-1")]
    [TestCase("google-2", "integrator-2")]
    [TestCase("google-1", "integrator-2")]
    [TestCase("google-2", "integrator-1")]
    public async Task EveryActiveKeyPairWorksWithGpg(string signer, string recipient)
    {
        using var gpg = new Gpg(TestKeys.Secret(signer), TestKeys.Public(recipient));
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis).ToJsonString());

        var result = await _app.PostRawAsync("echo", Base64UrlOf(gpg.SignAndEncrypt(body, [signer], [recipient])), "application/octet-stream");

        Assert.That(result.Status, Is.EqualTo(200), result.Raw);
    }

    [TestCase("google-1")]
    [TestCase("google-2")]
    public async Task ResponsesOpenWithEitherActiveGoogleKeyAndNeverUseARetiredOne(string googleKey)
    {
        var result = await _app.PostAsync("echo", GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis));
        var message = Base64Url.DecodeFromUtf8(result.Body);

        using var gpg = new Gpg(TestKeys.Secret(googleKey), TestKeys.Public("integrator-1"));
        var (_, status) = gpg.Decrypt(message);

        Assert.That(status, Does.Contain("DECRYPTION_OKAY").And.Contain("GOODSIG"));
        var recipients = RecipientKeyIds(message);
        var active = _googleSide.Ours.Where(k => k.Can(KeyUsage.Encrypt, DateTimeOffset.UtcNow) && !k.File.Contains("stranger", StringComparison.Ordinal)).Select(k => k.KeyId);
        Assert.That(recipients, Is.EquivalentTo(active), "encrypted to the active Google keys only");
    }

    [TestCase("google-expired")]
    [TestCase("google-revoked")]
    [TestCase("stranger")]
    public async Task RequestsSignedByARetiredOrUnknownGoogleKeyAre401(string signer)
    {
        var message = SealedBy(signer, "integrator-1");
        var result = await _app.PostRawAsync("echo", Base64UrlOf(message), "application/octet-stream");
        result.AssertError(401, "INVALID_PAYLOAD_SIGNATURE");
    }

    [TestCase("integrator-expired")]
    [TestCase("integrator-revoked")]
    public async Task RequestsEncryptedToARetiredKeyOfOursAre400(string recipient)
    {
        var message = SealedBy("google-1", recipient);
        var result = await _app.PostRawAsync("echo", Base64UrlOf(message), "application/octet-stream");
        result.AssertError(400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    [Test]
    public void OurRetiredKeysNeverSign()
    {
        var keyring = PgpKeyring.Load(Ours.Select(TestKeys.Secret), TestKeys.Passphrase, Google.Select(TestKeys.Public));
        var signer = keyring.SigningKey(DateTimeOffset.UtcNow)!;
        Assert.That(signer.File, Does.EndWith("integrator-1.sec.asc"));
        Assert.That(keyring.Ours.Where(k => k.File.Contains("expired", StringComparison.Ordinal) || k.File.Contains("revoked", StringComparison.Ordinal)),
            Has.All.Matches<PgpKey>(k => !k!.IsActiveAt(DateTimeOffset.UtcNow)));
    }

    /// <summary>A request that gpg will not make (it refuses retired keys): sealed by our own writer with explicit keys.</summary>
    private byte[] SealedBy(string signer, string recipient)
    {
        var body = Encoding.UTF8.GetBytes(GspMessages.Echo(GspMessages.NewId("echo"), _app.Clock.NowMillis).ToJsonString());
        var signingKey = _googleSide.Ours.First(k => k.File.EndsWith(signer + ".sec.asc", StringComparison.Ordinal) && k.Usage.HasFlag(KeyUsage.Sign));
        var encryptionKey = _googleSide.Google.First(k => k.File.EndsWith(recipient + ".pub.asc", StringComparison.Ordinal) && k.Usage.HasFlag(KeyUsage.Encrypt));
        return PgpSealer.Seal(body, signingKey, [encryptionKey], DateTimeOffset.UtcNow);
    }

    private static long[] RecipientKeyIds(byte[] message) =>
        PacketReader.ReadAll(message, 16)
            .Where(p => p.Tag == PacketTag.PublicKeyEncryptedSessionKey)
            .Select(p => unchecked((long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(p.Body.Span[1..9])))
            .ToArray();

    private static byte[] Base64UrlOf(byte[] message) => Encoding.ASCII.GetBytes(Base64Url.EncodeToString(message));
}
