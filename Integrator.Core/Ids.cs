namespace Integrator.Core;

/// <summary>Identifiers we generate: time-ordered UUIDv7 as 32 hex digits, valid as a GSP requestId.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
