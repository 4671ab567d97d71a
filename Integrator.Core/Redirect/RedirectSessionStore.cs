using Integrator.Core.Gsp;
using Integrator.Core.Storage;

namespace Integrator.Core.Redirect;

/// <summary>The redirect_sessions rows (db/*/0012_redirect.sql). A session is ended by a compare-and-set on its result.</summary>
public sealed class RedirectSessionStore(Database database)
{
    private const string Columns = """
        s.redirect_request_id, s.payment_integrator_account_id, s.amount_micros, s.currency_code, s.description,
        s.callback_url, s.request_timestamp, s.offered_token_sha256, s.result, s.customer_id, s.account_id, s.token_sha256,
        s.token_source, s.created_at, s.updated_at, s.completed_at, r.redirect_sha256, r.browser_sha256
        """;

    private const string From = "redirect_sessions s LEFT JOIN redirect_session_refs r ON r.redirect_request_id = s.redirect_request_id";

    private const string Find = $"SELECT {Columns} FROM {From} WHERE s.redirect_request_id = @RedirectRequestId";

    private const string FindByReference = $"SELECT {Columns} FROM {From} WHERE r.redirect_sha256 = @RedirectSha256";

    private const string FindByToken = $"SELECT {Columns} FROM {From} WHERE s.token_sha256 = @TokenSha256 ORDER BY s.created_at";

    private const string Insert = """
        INSERT INTO redirect_sessions (redirect_request_id, payment_integrator_account_id, amount_micros, currency_code,
            description, callback_url, request_timestamp, offered_token_sha256, result, created_at, updated_at)
        VALUES (@RedirectRequestId, @PaymentIntegratorAccountId, @AmountMicros, @CurrencyCode, @Description, @CallbackUrl,
            @RequestTimestamp, @OfferedTokenSha256, @Result, @Now, @Now)
        """;

    private const string InsertRefs = """
        INSERT INTO redirect_session_refs (redirect_request_id, redirect_sha256, browser_sha256)
        VALUES (@RedirectRequestId, @RedirectSha256, @BrowserSha256)
        """;

    // The guard is the WHERE clause: of two finishes at once (two tabs, a tab and the status method), one wins.
    private const string Finish = """
        UPDATE redirect_sessions
        SET result = @Result, customer_id = @CustomerId, account_id = @AccountId, token_sha256 = @TokenSha256,
            token_source = @TokenSource, updated_at = @Now, completed_at = @Now
        WHERE redirect_request_id = @RedirectRequestId AND result = 'pending'
        """;

    public Task<RedirectSession?> FindAsync(string redirectRequestId, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<RedirectSession>(Find, new { RedirectRequestId = redirectRequestId }, ct);

    public Task<RedirectSession?> FindAsync(DbTx tx, string redirectRequestId, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<RedirectSession>(Find, new { RedirectRequestId = redirectRequestId }, ct);

    /// <summary>The session whose redirectRequestId has this SHA-256 (its reference in support pages).</summary>
    public Task<RedirectSession?> FindByReferenceAsync(string redirectSha256, CancellationToken ct) =>
        database.QuerySingleOrDefaultAsync<RedirectSession>(FindByReference, new { RedirectSha256 = redirectSha256 }, ct);

    /// <summary>The sessions that bound a token (by its SHA-256): one, unless Google offered the same token again.</summary>
    public Task<IReadOnlyList<RedirectSession>> FindByTokenAsync(string tokenSha256, CancellationToken ct) =>
        database.QueryAsync<RedirectSession>(FindByToken, new { TokenSha256 = tokenSha256 }, ct);

    /// <summary>The session of this redirectRequestId: the one already there (a second arrival resumes it), or this new one.</summary>
    public async Task<RedirectSession> StartAsync(RedirectSession session, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await database.WriteAsync(
                async (tx, token) =>
                {
                    if (await FindAsync(tx, session.RedirectRequestId, token) is null)
                    {
                        var row = Row(session, now);
                        await tx.ExecuteAsync(Insert, row, token);
                        await tx.ExecuteAsync(InsertRefs, row, token);
                    }
                },
                ct);
        }
        catch (Exception e) when (database.Classify(e) == StorageFault.DuplicateKey)
        {
            // Another instance started it at the same moment: resume that one.
        }

        return (await FindAsync(session.RedirectRequestId, ct))!;
    }

    /// <summary>Ends a pending session with its one result; false if it had already ended.</summary>
    public async Task<bool> TryFinishAsync(DbTx tx, RedirectSession finished, DateTimeOffset now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            Finish,
            new
            {
                finished.RedirectRequestId,
                finished.Result,
                finished.CustomerId,
                finished.AccountId,
                finished.TokenSha256,
                finished.TokenSource,
                Now = now,
            },
            ct) == 1;

    private static object Row(RedirectSession s, DateTimeOffset now) => new
    {
        s.RedirectRequestId,
        s.PaymentIntegratorAccountId,
        s.AmountMicros,
        s.CurrencyCode,
        s.Description,
        s.CallbackUrl,
        s.RequestTimestamp,
        s.OfferedTokenSha256,
        Result = RedirectResults.Pending,
        Now = now,
        s.RedirectSha256,
        s.BrowserSha256,
    };
}
