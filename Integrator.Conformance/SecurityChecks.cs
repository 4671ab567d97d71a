namespace Integrator.Conformance;

/// <summary>Message security probes like Google's launch tests (PGP targets only).</summary>
public sealed class SecurityChecks : Check
{
    [Method("echo")]
    [Test(Description = "A request also signed by an unknown key is accepted when Google's signature is good")]
    public async Task AnExtraUnknownSignatureIsTolerated()
    {
        var pgp = Pgp();
        var answer = await PostAsync("echo", Messages.Echo(Messages.NewId("echo")), new Sealing([pgp.Google, pgp.Stranger]));
        Expect(answer.Status == 200 && answer.Authentic, $"Expected an authentic 200, got {answer}.");
    }

    [Method("echo")]
    [Test(Description = "A request signed only by a stranger is refused with 401 INVALID_PAYLOAD_SIGNATURE")]
    public async Task AStrangersSignatureIsRefused()
    {
        var pgp = Pgp();
        var answer = await PostAsync("echo", Messages.Echo(Messages.NewId("echo")), new Sealing([pgp.Stranger]));
        ExpectStatus(answer, 401, "INVALID_PAYLOAD_SIGNATURE");
        ExpectSaysNothing(answer, pgp);
    }

    [Method("echo")]
    [Test(Description = "An unsigned request is refused with 401 INVALID_PAYLOAD_SIGNATURE")]
    public async Task AnUnsignedRequestIsRefused()
    {
        var pgp = Pgp();
        ExpectStatus(await PostAsync("echo", Messages.Echo(Messages.NewId("echo")), new Sealing([])), 401, "INVALID_PAYLOAD_SIGNATURE");
    }

    [Method("echo")]
    [Test(Description = "A request encrypted to another key is refused with 400 INVALID_PAYLOAD_ENCRYPTION")]
    public async Task AWrongRecipientIsRefused()
    {
        var pgp = Pgp();
        var answer = await PostAsync("echo", Messages.Echo(Messages.NewId("echo")), new Sealing(Recipient: pgp.StrangerPublic));
        ExpectStatus(answer, 400, "INVALID_PAYLOAD_ENCRYPTION");
        ExpectSaysNothing(answer, pgp);
    }

    [Method("echo")]
    [Test(Description = "A body that is not a PGP message is refused with 400 INVALID_PAYLOAD_ENCRYPTION")]
    public async Task GarbageIsRefused()
    {
        Pgp();
        ExpectStatus(await Client.PostRawAsync("echo", "bm90IGEgbWVzc2FnZQ"u8.ToArray(), "application/octet-stream"), 400, "INVALID_PAYLOAD_ENCRYPTION");
    }

    private static PgpSecurity Pgp() =>
        Target.Pgp ?? throw new IgnoreException("The target is in plaintext mode: message security is not checked.");

    /// <summary>Before authentication an error helps no stranger: no key ids, no stack traces, no exception names.</summary>
    private static void ExpectSaysNothing(GspAnswer answer, PgpSecurity pgp)
    {
        var strangerKeyId = pgp.Stranger.PublicKey.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        Expect(
            !answer.Body.Contains(strangerKeyId, StringComparison.OrdinalIgnoreCase)
            && !answer.Body.Contains("Exception", StringComparison.Ordinal)
            && !answer.Body.Contains("   at ", StringComparison.Ordinal),
            $"The error before authentication says too much: {answer.Body}");
    }
}
