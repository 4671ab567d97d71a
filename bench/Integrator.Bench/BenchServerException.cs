namespace Integrator.Bench;

/// <summary>A server the benchmark starts did not come up: reported as one line, the server's own words included.</summary>
internal sealed class BenchServerException(string message) : Exception(message);
