namespace Integrator.Core.Support;

/// <summary>A console session as the server holds it (db/*/0013_sessions.sql).</summary>
public sealed record ConsoleSession
{
    public required string Holder { get; init; }

    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastSeenAt { get; init; }
}
