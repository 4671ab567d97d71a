namespace Integrator.Core.Support;

/// <summary>A console session as the server holds it (db/*/0013_sessions.sql, 0016_console_roles.sql).</summary>
public sealed record ConsoleSession
{
    public required string Holder { get; init; }

    public required string Name { get; init; }

    /// <summary>The role fixed at sign-in (console_session_roles, db/*/0016_console_roles.sql), or null when the holder's key says it.</summary>
    public string? Role { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastSeenAt { get; init; }
}
