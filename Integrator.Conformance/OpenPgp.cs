using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Integrator.Conformance;

/// <summary>
/// OpenPGP as Google uses it for GSP (BouncyCastle, independent of the target's code): sign with SHA-384, encrypt with
/// AES-256 and an integrity packet (<c>gpg --sign --digest-algo SHA384 --encrypt --cipher-algo AES256</c>), and the
/// reverse for answers. Every signer gets a one-pass signature, so a message may carry several.
/// </summary>
public static class OpenPgp
{
    private static readonly SecureRandom Random = new();

    public static SigningKey LoadSigningKey(string armoredSecretKeyFile, string passphrase)
    {
        using var stream = PgpUtilities.GetDecoderStream(File.OpenRead(armoredSecretKeyFile));
        var ring = new PgpSecretKeyRing(stream);
        var secret = ring.GetSecretKeys().First(k => k.IsSigningKey && !k.IsPrivateKeyEmpty);
        return new SigningKey(secret.ExtractPrivateKey(passphrase.ToCharArray()), secret.PublicKey);
    }

    public static PgpPublicKeyRing LoadPublicKey(string armoredPublicKeyFile)
    {
        using var stream = PgpUtilities.GetDecoderStream(File.OpenRead(armoredPublicKeyFile));
        return new PgpPublicKeyRing(stream);
    }

    /// <summary>A throw-away RSA key pair: a stranger to the target, for the probes that must be refused.</summary>
    public static (SigningKey Key, PgpPublicKeyRing Public, PgpPrivateKey Decrypting) Stranger()
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), Random, 2048, 100));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), DateTime.UtcNow);
        var ring = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification, pair, "stranger <stranger@conformance.invalid>", SymmetricKeyAlgorithmTag.Aes256,
            Array.Empty<char>(), true, null, null, Random);
        var publicRing = ring.GeneratePublicKeyRing();
        return (new SigningKey(pair.PrivateKey, pair.PublicKey), publicRing, pair.PrivateKey);
    }

    /// <summary>Signs <paramref name="content"/> by every signer (none: unsigned) and encrypts it to <paramref name="recipient"/>.</summary>
    public static byte[] SignAndEncrypt(byte[] content, IReadOnlyList<SigningKey> signers, PgpPublicKeyRing recipient)
    {
        using var signed = new MemoryStream();
        var generators = signers.Select(signer =>
        {
            var generator = new PgpSignatureGenerator(signer.PublicKey.Algorithm, HashAlgorithmTag.Sha384);
            generator.InitSign(PgpSignature.BinaryDocument, signer.PrivateKey);
            return generator;
        }).ToList();
        using (var output = new BcpgOutputStream(signed))
        {
            for (var i = 0; i < generators.Count; i++)
            {
                // A one-pass signature that is not the last says so (its "nested" flag is 0): another one follows.
                generators[i].GenerateOnePassVersion(isNested: i < generators.Count - 1).Encode(output);
            }

            var literal = new PgpLiteralDataGenerator();
            using (var data = literal.Open(output, PgpLiteralData.Binary, string.Empty, content.Length, DateTime.UtcNow))
            {
                data.Write(content);
            }

            foreach (var generator in generators)
            {
                generator.Update(content);
            }

            for (var i = generators.Count - 1; i >= 0; i--)
            {
                generators[i].Generate().Encode(output);
            }
        }

        var encryptor = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, withIntegrityPacket: true, Random);
        var encryptionKeys = recipient.GetPublicKeys().Where(k => k.IsEncryptionKey).ToList();
        encryptor.AddMethod(encryptionKeys.FirstOrDefault(k => !k.IsMasterKey) ?? encryptionKeys.First());
        using var sealedMessage = new MemoryStream();
        var inner = signed.ToArray();
        using (var encrypted = encryptor.Open(sealedMessage, inner.Length))
        {
            encrypted.Write(inner);
        }

        return sealedMessage.ToArray();
    }

    /// <summary>
    /// Decrypts with <paramref name="ours"/> and checks the integrity packet and a signature by <paramref name="signer"/>;
    /// null if any of that fails.
    /// </summary>
    public static byte[]? DecryptAndVerify(byte[] message, IReadOnlyDictionary<long, PgpPrivateKey> ours, PgpPublicKeyRing signer)
    {
        try
        {
            var list = new PgpObjectFactory(message).NextPgpObject() as PgpEncryptedDataList;
            foreach (var data in list?.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>() ?? [])
            {
                if (!ours.TryGetValue(data.KeyId, out var privateKey))
                {
                    continue;
                }

                var inner = new PgpObjectFactory(data.GetDataStream(privateKey));
                var next = inner.NextPgpObject();
                if (next is PgpCompressedData compressed)
                {
                    inner = new PgpObjectFactory(compressed.GetDataStream());
                    next = inner.NextPgpObject();
                }

                if (next is PgpOnePassSignatureList)
                {
                    next = inner.NextPgpObject();
                }

                using var content = new MemoryStream();
                ((PgpLiteralData)next).GetInputStream().CopyTo(content);
                var signatures = (PgpSignatureList)inner.NextPgpObject();
                var verified = false;
                for (var i = 0; i < signatures.Count; i++)
                {
                    if (signer.GetPublicKey(signatures[i].KeyId) is { } key)
                    {
                        signatures[i].InitVerify(key);
                        signatures[i].Update(content.ToArray());
                        verified |= signatures[i].Verify();
                    }
                }

                return data.Verify() && verified ? content.ToArray() : null;
            }

            return null;
        }
#pragma warning disable CA1031 // BouncyCastle throws many types; any of them means the message is not authentic
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>The decrypting private keys of a secret key file, by key id.</summary>
    public static Dictionary<long, PgpPrivateKey> LoadDecryptingKeys(string armoredSecretKeyFile, string passphrase)
    {
        using var stream = PgpUtilities.GetDecoderStream(File.OpenRead(armoredSecretKeyFile));
        return new PgpSecretKeyRing(stream).GetSecretKeys()
            .Where(k => !k.IsPrivateKeyEmpty)
            .ToDictionary(k => k.KeyId, k => k.ExtractPrivateKey(passphrase.ToCharArray()));
    }
}
