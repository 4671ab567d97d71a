using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Integrator.Conformance;

/// <summary>A key that signs (its private part) and the public key it is known by.</summary>
public sealed record SigningKey(PgpPrivateKey PrivateKey, PgpPublicKey PublicKey);
