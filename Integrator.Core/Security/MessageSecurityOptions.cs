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

    /// <summary>The second switch <see cref="MessageSecurityMode.None"/> needs (Development, loopback only).</summary>
    public bool AllowPlaintext { get; set; }

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

    /// <summary>
    /// Full fingerprints (40 hex digits, spaces allowed) of Google's primary keys, as Google gave them through the key
    /// exchange: a key file whose primary key is not listed is refused outside Development (a replaced file is not trusted).
    /// </summary>
    public IList<string> GoogleKeyFingerprints { get; } = [];

    /// <summary>Try our keys on a PKESK with the wildcard key id 0 (anonymous recipient); Google names the key.</summary>
    public bool AllowWildcardRecipient { get; set; }
}
