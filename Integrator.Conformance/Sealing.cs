namespace Integrator.Conformance;

/// <summary>How a probe's body is sealed differently from a well-formed request (PGP mode).</summary>
public sealed record Sealing(IReadOnlyList<SigningKey>? Signers = null, Org.BouncyCastle.Bcpg.OpenPgp.PgpPublicKeyRing? Recipient = null);
