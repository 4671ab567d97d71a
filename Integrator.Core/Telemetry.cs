using System.Diagnostics;

namespace Integrator.Core;

/// <summary>
/// The traces Integrator writes (ActivitySource <c>Integrator</c>): a span per Google call, per idempotent execution,
/// per database write, per call to Google. Attributes carry methods, ids we made and outcomes — never a token, a body
/// or a key.
/// </summary>
public static class Telemetry
{
    public const string SourceName = "Integrator";

    /// <summary>The meter of the Google-facing calls (<c>Pipeline/GspMetrics</c>, and the keys in flight).</summary>
    public const string GspMeterName = "Integrator.Gsp";

    public static readonly ActivitySource Source = new(SourceName);
}
