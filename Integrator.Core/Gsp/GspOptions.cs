using System.ComponentModel.DataAnnotations;

namespace Integrator.Core.Gsp;

public sealed class GspOptions : IValidatableObject
{
    public const string Section = "Gsp";

    /// <summary>Prefix of the Google-facing routes, e.g. <c>/integrator-base-path</c>; empty by default.</summary>
    public string BasePath { get; set; } = string.Empty;

    /// <summary>The paymentIntegratorAccountIds this server serves.</summary>
    public IList<string> PaymentIntegratorAccountIds { get; } = [];

    /// <summary>Allowed distance between requestTimestamp and our clock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest accepted request body; larger ones are answered 413 before they are read.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Google calls processed at once by this instance; more wait up to <see cref="MaxConcurrentWait"/> and are then
    /// answered 503 (Google retries), so a flood queues neither memory nor database work without bound.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentCalls { get; set; } = 256;

    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan MaxConcurrentWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Google calls one client address may have open at once, reading included; more are answered 503 at once. Behind a
    /// reverse proxy the address is the one <c>Proxy:KnownProxies</c> forwards, else every call shares the proxy's.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentCallsPerAddress { get; set; } = 128;

    /// <summary>
    /// The whole body must arrive within this time, before the call takes one of <see cref="MaxConcurrentCalls"/>; a
    /// body that trickles is answered 408 and its connection closed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PaymentIntegratorAccountIds.Count == 0 || PaymentIntegratorAccountIds.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult(
                "Gsp:PaymentIntegratorAccountIds must list at least one non-empty paymentIntegratorAccountId.",
                [nameof(PaymentIntegratorAccountIds)]);
        }
    }

    /// <summary>The base path as a route prefix: empty, or one leading slash and none trailing.</summary>
    public string NormalizedBasePath => Normalize(BasePath);

    public static string Normalize(string? basePath) => basePath?.Trim('/') is { Length: > 0 } path ? "/" + path : string.Empty;
}
