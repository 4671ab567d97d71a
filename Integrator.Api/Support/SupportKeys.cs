using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Support;

/// <summary>
/// A support key's holder: the name that acts, what it may do, and the key's identifier (the first 16 hex digits of
/// its SHA-256), which names the key in console sessions without revealing it.
/// </summary>
public sealed record SupportKeyHolder(string Name, SupportRole Role, string KeyId);

/// <summary>
/// The configured support keys, for the API's header and the console's sign-in alike. A presented key is hashed and
/// compared with every key's hash in constant time, without stopping at a match, so response time says nothing about
/// how close a guess was.
/// </summary>
public sealed class SupportKeys(IOptions<SupportOptions> support)
{
    private readonly (SupportKeyHolder Holder, byte[] Hash)[] _keys = support.Value.ApiKeys
        .Select(k => Hash(k.Key) is var hash ? (new SupportKeyHolder(k.Name, k.Role, Convert.ToHexStringLower(hash)[..16]), hash) : default)
        .ToArray();

    public SupportKeyHolder? Find(string presented)
    {
        var hash = Hash(presented);
        SupportKeyHolder? found = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                found = key.Holder;
            }
        }

        return found;
    }

    /// <summary>The holder of the key with this identifier, while that key is configured.</summary>
    public SupportKeyHolder? FindById(string keyId) => _keys.Select(k => k.Holder).FirstOrDefault(h => h.KeyId == keyId);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
