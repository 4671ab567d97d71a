namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// What a stand-in answers. <see cref="Lost"/>: the effect is done but the answer never arrives (the carrier drops the
/// connection), as when a network fails between the back end and Integrator.
/// </summary>
public sealed record StandInAnswer(int Status, string Body, bool Lost = false)
{
    /// <summary>An earlier answer under the same Idempotency-Key, replayed (Mollie's <c>Idempotent-Replayed: true</c>).</summary>
    public bool Replayed { get; init; }
}
