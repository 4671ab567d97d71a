using Microsoft.Extensions.Logging;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// Loads the keyring named by <c>MessageSecurity:Pgp</c> at startup, says in the log what each key may do and whether
/// it is active, and refuses to start unless each direction has an active key: ours to decrypt and sign, Google's to
/// verify and encrypt to. Expired and revoked keys stay loaded but are never used.
/// </summary>
public static partial class PgpKeyringLoader
{
    public static PgpKeyring Load(PgpOptions options, string contentRoot, DateTimeOffset now, ILogger logger)
    {
        var keyring = PgpKeyring.Load(
            options.PrivateKeyFiles.Select(f => Path.GetFullPath(f, contentRoot)),
            options.Passphrase,
            options.GooglePublicKeyFiles.Select(f => Path.GetFullPath(f, contentRoot)));

        foreach (var (owner, key) in keyring.Ours.Select(k => ("our", k)).Concat(keyring.Google.Select(k => ("Google's", k))))
        {
            var status = key.Revoked ? "revoked" : key.IsActiveAt(now) ? "active" : "expired";
            LogKey(logger, owner, key.KeyIdHex, key.Usage, status, key.ExpiresAt, key.File);
        }

        var missing = new List<string>();
        if (!keyring.DecryptionKeys(now).Any())
        {
            missing.Add("an active encryption key of ours (MessageSecurity:Pgp:PrivateKeyFiles) to decrypt requests");
        }

        if (keyring.SigningKey(now) is null)
        {
            missing.Add("an active signing key of ours (MessageSecurity:Pgp:PrivateKeyFiles) to sign responses");
        }

        if (!keyring.Google.Any(k => k.Can(KeyUsage.Sign, now)))
        {
            missing.Add("an active Google signing key (MessageSecurity:Pgp:GooglePublicKeyFiles) to verify requests");
        }

        if (!keyring.GoogleEncryptionKeys(now).Any())
        {
            missing.Add("an active Google encryption key (MessageSecurity:Pgp:GooglePublicKeyFiles) to encrypt responses");
        }

        return missing.Count == 0
            ? keyring
            : throw new InvalidOperationException("MessageSecurity:Pgp has no usable key for each direction; missing " + string.Join("; ", missing) + ".");
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "PGP: {Owner} key {KeyId} ({Usage}) is {Status}; expires {ExpiresAt:O}; from {File}")]
    private static partial void LogKey(ILogger logger, string owner, string keyId, KeyUsage usage, string status, DateTimeOffset? expiresAt, string file);
}
