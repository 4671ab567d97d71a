namespace Integrator.Core.Redirect;

/// <summary>
/// Why a sign-in failed; the page says the same for an unknown customer and a wrong passcode. <see cref="Busy"/>: too
/// many sign-ins are being checked at this moment, try again shortly (nothing was counted).
/// </summary>
public sealed record SignInRefused(DateTimeOffset? LockedUntil, bool Busy = false);
