namespace Integrator.Core.Backend.StandIn;

/// <summary>
/// What the stand-in core answers. <see cref="Lost"/>: the effect is done but the answer never arrives (the carrier drops
/// the connection), as when a network fails between the core and Integrator.
/// </summary>
public sealed record StandInAnswer(int Status, string Body, bool Lost = false);
