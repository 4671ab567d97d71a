using Integrator.Core.Ledger;
using Integrator.Core.Redirect;
using Integrator.Core.Storage;

namespace Integrator.Core.Support;

/// <summary>
/// A redirect as support sees it. Tokens are never shown: <see cref="TokenFingerprint"/> is the start of the bound
/// token's SHA-256, and <see cref="CallbackHost"/> only the host of where the browser went back to.
/// <see cref="Reference"/> (the SHA-256 of the redirectRequestId) names it in URLs, which end up in access logs: the
/// redirectRequestId itself is the payment token when Google sent none.
/// </summary>
public sealed record RedirectView(
    string Reference,
    string RedirectRequestId,
    string PaymentIntegratorAccountId,
    MoneyView Amount,
    string? Description,
    string State,
    string Result,
    string? CustomerId,
    string? AccountId,
    string? TokenFingerprint,
    string? TokenSource,
    string CallbackHost,
    DateTimeOffset RequestTimestamp,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<NotificationSummary> Notifications);

/// <summary>Redirect sessions for support (README "The redirect"): by redirectRequestId, or by the payment token they bound.</summary>
public sealed class RedirectSupport(RedirectSessionStore sessions, Database database, SupportAudit audit)
{
    private const int FingerprintLength = 12;

    private const string Notifications = """
        SELECT notification_id, status, attempt_count, created_at, delivered_at, last_error FROM outbox
        WHERE redirect_request_id = @RedirectRequestId ORDER BY created_at, notification_id
        """;

    /// <summary>The redirect of this redirectRequestId as <paramref name="reader"/> sees it; the read of customer data is audited.</summary>
    public async Task<Result<RedirectView, SupportError>> FindAsync(string? redirectRequestId, SupportActor reader, CancellationToken ct)
    {
        if (redirectRequestId is not { Length: > 0 and <= 200 })
        {
            return SupportError.Invalid("redirectRequestId is required (at most 200 characters).");
        }

        return await ShowAsync(await sessions.FindAsync(redirectRequestId, ct), SqlLedger.TokenHash(redirectRequestId), reader, ct);
    }

    /// <summary>The redirect of this <see cref="RedirectView.Reference"/>; the read is audited.</summary>
    public async Task<Result<RedirectView, SupportError>> GetAsync(string reference, SupportActor reader, CancellationToken ct) =>
        await ShowAsync(reference.Length == 64 ? await sessions.FindByReferenceAsync(reference, ct) : null, reference, reader, ct);

    private async Task<Result<RedirectView, SupportError>> ShowAsync(RedirectSession? session, string reference, SupportActor reader, CancellationToken ct)
    {
        await audit.RecordAsync(
            new SupportAudit.Entry(reader, "read redirect", $"redirect {reference[..Math.Min(reference.Length, FingerprintLength)]}", null, session is null ? "not found" : "shown"), ct);
        return session is null ? SupportError.NotFound("No such redirect.") : await ViewAsync(session, ct);
    }

    /// <summary>The redirects that bound <paramref name="token"/>; the token is hashed, never stored or audited.</summary>
    public async Task<Result<IReadOnlyList<RedirectView>, SupportError>> FindByTokenAsync(string? token, SupportActor reader, CancellationToken ct)
    {
        if (token is not { Length: > 0 and <= 2048 })
        {
            return SupportError.Invalid("token is required (at most 2048 characters).");
        }

        var tokenSha256 = SqlLedger.TokenHash(token);
        var found = await sessions.FindByTokenAsync(tokenSha256, ct);
        await audit.RecordAsync(
            new SupportAudit.Entry(reader, "find redirect by token", $"token {tokenSha256[..FingerprintLength]}", null, $"{found.Count} found"), ct);
        var views = new List<RedirectView>(found.Count);
        foreach (var session in found)
        {
            views.Add(await ViewAsync(session, ct));
        }

        return views;
    }

    private async Task<RedirectView> ViewAsync(RedirectSession s, CancellationToken ct) => new(
        s.RedirectSha256 ?? SqlLedger.TokenHash(s.RedirectRequestId),
        s.RedirectRequestId,
        s.PaymentIntegratorAccountId,
        MoneyView.Of(s.AmountMicros, s.CurrencyCode),
        s.Description,
        s.IsFinished ? "FINISHED" : "PENDING",
        s.Result,
        s.CustomerId,
        s.AccountId,
        s.TokenSha256?[..FingerprintLength],
        s.TokenSource,
        Uri.TryCreate(s.CallbackUrl, UriKind.Absolute, out var callback) ? callback.Host : "?",
        s.RequestTimestamp,
        s.CreatedAt,
        s.UpdatedAt,
        s.CompletedAt,
        await database.QueryAsync<NotificationSummary>(Notifications, new { s.RedirectRequestId }, ct));
}
