using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Security.Pgp;

/// <summary>
/// Loads the keyring named by <c>MessageSecurity:Pgp</c> at startup, says in the log what each key may do, its
/// fingerprint and whether it is active, checks Google's primary keys against <c>GoogleKeyFingerprints</c>, and refuses
/// to start unless each direction has an active key: ours to decrypt and sign, Google's to verify and encrypt to.
/// Expired and revoked keys stay loaded but are never used.
/// </summary>
public static partial class PgpKeyringLoader
{
    public static PgpKeyring Load(PgpOptions options, IHostEnvironment environment, DateTimeOffset now, ILogger logger)
    {
        var keyring = PgpKeyring.Load(
            options.PrivateKeyFiles.Select(f => Path.GetFullPath(f, environment.ContentRootPath)),
            options.Passphrase,
            options.GooglePublicKeyFiles.Select(f => Path.GetFullPath(f, environment.ContentRootPath)));

        foreach (var (owner, key) in keyring.Ours.Select(k => ("our", k)).Concat(keyring.Google.Select(k => ("Google's", k))))
        {
            var status = key.Revoked ? "revoked" : key.IsActiveAt(now) ? "active" : "expired";
            LogKey(logger, owner, key.KeyIdHex, key.FingerprintHex, key.Usage, status, key.ExpiresAt, key.File);
        }

        CheckPins(options, keyring, environment, logger);

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

    /// <summary>Every Google primary key must be pinned; without pins only Development starts (with a warning).</summary>
    private static void CheckPins(PgpOptions options, PgpKeyring keyring, IHostEnvironment environment, ILogger logger)
    {
        var pins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pin in options.GoogleKeyFingerprints)
        {
            var normalized = pin.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (normalized.Length != 40 || !normalized.All(Uri.IsHexDigit))
            {
                throw new InvalidOperationException($"MessageSecurity:Pgp:GoogleKeyFingerprints: '{pin}' is not a 40-hex-digit fingerprint.");
            }

            pins.Add(normalized);
        }

        var unpinned = keyring.Google.Select(k => Convert.ToHexString(k.PrimaryFingerprint)).Distinct().Where(f => !pins.Contains(f)).ToList();
        if (unpinned.Count == 0)
        {
            return;
        }

        if (pins.Count == 0 && environment.IsDevelopment())
        {
            LogUnpinned(logger, string.Join(", ", unpinned));
            return;
        }

        throw new InvalidOperationException(
            $"MessageSecurity:Pgp:GooglePublicKeyFiles holds Google primary key(s) {string.Join(", ", unpinned)} not listed in MessageSecurity:Pgp:GoogleKeyFingerprints; compare them with the fingerprints Google gave in the key exchange and list them.");
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "PGP: {Owner} key {KeyId} ({Fingerprint}, {Usage}) is {Status}; expires {ExpiresAt:O}; from {File}")]
    private static partial void LogKey(ILogger logger, string owner, string keyId, string fingerprint, KeyUsage usage, string status, DateTimeOffset? expiresAt, string file);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "PGP: Google primary key(s) {Fingerprints} are not pinned in MessageSecurity:Pgp:GoogleKeyFingerprints; accepted only because this is Development")]
    private static partial void LogUnpinned(ILogger logger, string fingerprints);
}
