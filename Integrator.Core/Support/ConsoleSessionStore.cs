using System.Security.Cryptography;
using System.Text;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

/// <summary>
/// The console's sessions on the server: a session is started at sign-in, checked on every request, and ended by
/// sign-out, by its limits, or when its holder can no longer sign in. The cookie carries only the session's id, kept
/// here as its SHA-256.
/// </summary>
public sealed class ConsoleSessionStore(Database database, TimeProvider time)
{
    /// <summary>How often a session's last-seen time is written: often enough for the idle limit, not on every page.</summary>
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private const string Insert = """
        INSERT INTO console_sessions (session_sha256, holder, name, created_at, last_seen_at)
        VALUES (@SessionSha256, @Holder, @Name, @Now, @Now)
        """;

    private const string InsertRole = "INSERT INTO console_session_roles (session_sha256, role) VALUES (@SessionSha256, @Role)";

    private const string FindActive = """
        SELECT s.holder, s.name, r.role, s.created_at, s.last_seen_at
        FROM console_sessions s LEFT JOIN console_session_roles r ON r.session_sha256 = s.session_sha256
        WHERE s.session_sha256 = @SessionSha256 AND s.ended_at IS NULL
        """;

    private const string Touch = """
        UPDATE console_sessions SET last_seen_at = @Now WHERE session_sha256 = @SessionSha256 AND ended_at IS NULL
        """;

    private const string End = """
        UPDATE console_sessions SET ended_at = @Now, end_reason = @Reason WHERE session_sha256 = @SessionSha256 AND ended_at IS NULL
        """;

    /// <param name="role">The role fixed for the session's life (a provider's claims at sign-in); null when it is looked up afresh.</param>
    /// <returns>The new session's id, for the cookie.</returns>
    public async Task<string> StartAsync(string holder, string name, string? role, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var session = new { SessionSha256 = Hash(id), Holder = holder, Name = name, Role = role, Now = time.GetUtcNow() };
        await database.WriteAsync(
            async (tx, token) =>
            {
                await tx.ExecuteAsync(Insert, session, token);
                if (role is not null)
                {
                    await tx.ExecuteAsync(InsertRole, session, token);
                }
            },
            ct);
        return id;
    }

    /// <summary>The session, unless it never existed or has ended.</summary>
    public Task<ConsoleSession?> FindActiveAsync(string id, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<ConsoleSession>(FindActive, new { SessionSha256 = Hash(id) }, ct);

    /// <summary>Records that the session was used now, at most once per <see cref="TouchEvery"/>.</summary>
    public async Task SeenAsync(string id, ConsoleSession session, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now - session.LastSeenAt >= TouchEvery)
        {
            await database.ExecuteAsync(Touch, new { SessionSha256 = Hash(id), Now = now }, ct);
        }
    }

    public Task EndAsync(string id, string reason, CancellationToken ct) =>
        database.ExecuteAsync(End, new { SessionSha256 = Hash(id), Reason = reason, Now = time.GetUtcNow() }, ct);

    private static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
