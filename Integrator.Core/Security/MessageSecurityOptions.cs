namespace Integrator.Core.Security;

public enum MessageSecurityMode
{
    Pgp,
    None,
}

public sealed class MessageSecurityOptions
{
    public const string Section = "MessageSecurity";

    public MessageSecurityMode Mode { get; set; } = MessageSecurityMode.Pgp;

    public PgpOptions Pgp { get; set; } = new();
}

public sealed class PgpOptions
{
    /// <summary>Our armored secret keys; every one may decrypt, the first active one signs.</summary>
    public IList<string> PrivateKeyFiles { get; } = [];

    /// <summary>Passphrase of our secret keys (may be empty).</summary>
    public string Passphrase { get; set; } = string.Empty;

    /// <summary>Google's armored public keys; requests must carry a valid signature by one of them.</summary>
    public IList<string> GooglePublicKeyFiles { get; } = [];
}
