namespace Integrator.Conformance;

/// <summary>
/// One HTTP exchange of a check, as the report shows it: what was sent (the JSON before sealing), what came back
/// (opened, when sealed), and when — for a reproduction. <see cref="FromTarget"/>: the target called the kit's Google
/// endpoint (a notification) rather than the kit the target.
/// </summary>
public sealed record Exchange(
    string Method, Uri Url, string Request, DateTimeOffset SentAt, int Status, string Answer, bool Sealed, bool FromTarget = false);
