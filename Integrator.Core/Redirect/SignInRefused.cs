namespace Integrator.Core.Redirect;

/// <summary>Why a sign-in failed; the page says the same for an unknown customer and a wrong passcode.</summary>
public sealed record SignInRefused(DateTimeOffset? LockedUntil);
