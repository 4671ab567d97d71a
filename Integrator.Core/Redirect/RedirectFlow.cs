using System.Text;
using Integrator.Core.Backend;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Ledger;
using Integrator.Core.Notifications;
using Integrator.Core.Security;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Redirect;

/// <summary>
/// The redirect of docs/gsp-rules.md §8, step by step, for the redirect page: a customer's browser arrives with Google's sealed
/// request (opened, checked and kept as a session per redirectRequestId), the customer signs in, chooses an account
/// and approves or declines. The session ends once, with the result the account checks of reserveFunds give; on
/// success the payment token is bound to the account. Ending it queues generatePaymentTokenRedirectCompleteNotification
/// in the same transaction, and the browser goes back to Google with the same result, sealed.
/// </summary>
public sealed partial class RedirectFlow(
    IMessageCodec codec,
    RequestChecks checks,
    RedirectSessionStore sessions,
    ICustomerSignIn signIn,
    ILedger ledger,
    AccountDirectory directory,
    NotificationOutbox outbox,
    Database database,
    IOptions<RedirectOptions> options,
    TimeProvider time,
    ILogger<RedirectFlow> logger)
{
    private readonly RedirectOptions _options = options.Value;

    /// <summary>The last moment a browser can still finish a session: after it, a pending session is abandoned.</summary>
    public DateTimeOffset FinishableUntil(RedirectSession session) =>
        session.RequestTimestamp + _options.MaxAge + _options.BrowserSessionLifetime;

    /// <summary>
    /// A browser arrives with Google's sealed request: checked, and kept as the session of its redirectRequestId (one that
    /// is known already resumes, still signed in if this browser signed in to it).
    /// </summary>
    public async Task<Result<RedirectStep, RedirectRefusal>> ArriveAsync(RedirectArrival arrival, CancellationToken ct)
    {
        var refusal = Check(arrival, out var request);
        if (refusal is not null)
        {
            LogRefused(logger, refusal.Code);
            return refusal;
        }

        var session = await sessions.StartAsync(
            new RedirectSession
            {
                RedirectRequestId = request!.RequestHeader.RequestId,
                PaymentIntegratorAccountId = request.PaymentIntegratorAccountId,
                AmountMicros = request.TransactionAmount.AmountMicros,
                CurrencyCode = request.TransactionAmount.CurrencyCode,
                Description = request.TransactionDescription,
                CallbackUrl = arrival.CallbackUrl!,
                RequestTimestamp = request.RequestHeader.Timestamp,
                OfferedTokenSha256 = request.HasGooglePaymentToken ? SqlLedger.TokenHash(request.GooglePaymentToken) : null,
                Result = RedirectResults.Pending,
                RedirectSha256 = RedirectReference.Of(request.RequestHeader.RequestId),
                BrowserSha256 = SqlLedger.TokenHash(arrival.Browser),
            },
            time.GetUtcNow(),
            ct);

        // callbackUrl is outside Google's signature: the first arrival fixes it, and a later one may not change it.
        if (!string.Equals(session.CallbackUrl, arrival.CallbackUrl, StringComparison.Ordinal))
        {
            LogRefused(logger, RedirectRefusal.CallbackChanged().Code);
            return RedirectRefusal.CallbackChanged();
        }

        LogArrived(logger, session.PaymentIntegratorAccountId, session.Result);
        return await StepAsync(session, arrival.SignedInFor == session.RedirectRequestId ? arrival.SignedIn : null, null, ct);
    }

    /// <summary>The page as it stands, with a problem to show (the browser was refused before anything was tried).</summary>
    public async Task<Result<RedirectStep, RedirectRefusal>> ShowAsync(
        string? redirectRequestId, Customer? customer, RedirectRefusal? problem, CancellationToken ct) =>
        await FindAsync(redirectRequestId, ct) is { } session ? await StepAsync(session, customer, problem, ct) : RedirectRefusal.UnknownSession();

    /// <summary>The customer signs in (<see cref="ICustomerSignIn"/>); a finished session goes back to Google instead.</summary>
    public async Task<Result<RedirectStep, RedirectRefusal>> SignInAsync(string? redirectRequestId, CustomerCredential credential, CancellationToken ct)
    {
        if (await FindAsync(redirectRequestId, ct) is not { } session)
        {
            return RedirectRefusal.UnknownSession();
        }

        if (session.IsFinished)
        {
            return new RedirectStep(session, null, []);
        }

        var signedIn = await signIn.SignInAsync(credential, ct);
        return await StepAsync(session, signedIn.Value, signedIn.Error is { } refused ? RedirectRefusal.SignInFailed(refused) : null, ct);
    }

    /// <summary>
    /// The customer approves with one of their accounts: the account rule decides success or the decline. A session
    /// that has already ended keeps its result.
    /// </summary>
    public async Task<Result<RedirectStep, RedirectRefusal>> ApproveAsync(
        string? redirectRequestId, Customer? customer, string accountId, CancellationToken ct)
    {
        if (await FindAsync(redirectRequestId, ct) is not { } session)
        {
            return RedirectRefusal.UnknownSession();
        }

        if (session.IsFinished || customer is null)
        {
            return new RedirectStep(session, null, [], session.IsFinished ? null : RedirectRefusal.SignInFirst());
        }

        IReadOnlyList<LedgerAccount> accounts;
        try
        {
            accounts = await directory.AccountsOfAsync(customer.CustomerId, session.CurrencyCode, ct);
        }
        catch (BackendUnavailableException)
        {
            return new RedirectStep(session, customer, [], RedirectRefusal.AccountsUnavailable());
        }

        return accounts.FirstOrDefault(a => a.AccountId == accountId) is { } chosen
            ? new RedirectStep(await EndAsync(session, customer.CustomerId, chosen, ct), customer, [])
            : new RedirectStep(session, customer, accounts, RedirectRefusal.NotYourAccount());
    }

    /// <summary>
    /// The customer declines or leaves: userExitedPaymentFlow. Signed in, from any browser; not signed in, only from the
    /// browser that first arrived with the redirect (anyone else holding its link cannot end it).
    /// </summary>
    public async Task<Result<RedirectStep, RedirectRefusal>> DeclineAsync(
        string? redirectRequestId, Customer? customer, string browser, CancellationToken ct)
    {
        if (await FindAsync(redirectRequestId, ct) is not { } session)
        {
            return RedirectRefusal.UnknownSession();
        }

        if (session.IsFinished)
        {
            return new RedirectStep(session, null, []);
        }

        return customer is null && session.BrowserSha256 is { } starter && starter != SqlLedger.TokenHash(browser)
            ? RedirectRefusal.NotYourSession()
            : new RedirectStep(await EndAsync(session, customer?.CustomerId, null, ct), customer, []);
    }

    private async Task<RedirectSession?> FindAsync(string? redirectRequestId, CancellationToken ct) =>
        redirectRequestId is null ? null : await sessions.FindAsync(redirectRequestId, ct);

    /// <summary>The page with the accounts the customer may choose: theirs, in the session's currency, as the back end lists them.</summary>
    private async Task<RedirectStep> StepAsync(RedirectSession session, Customer? customer, RedirectRefusal? problem, CancellationToken ct)
    {
        if (customer is null || session.IsFinished)
        {
            return new(session, customer, [], problem);
        }

        try
        {
            return new(session, customer, await directory.AccountsOfAsync(customer.CustomerId, session.CurrencyCode, ct), problem);
        }
        catch (BackendUnavailableException)
        {
            return new(session, customer, [], problem ?? RedirectRefusal.AccountsUnavailable());
        }
    }

    /// <summary>Where the browser goes back to: callbackUrl with redirectRequestId, the PIAID and the sealed result.</summary>
    public string HandBackUrl(RedirectSession session)
    {
        var response = new GeneratePaymentTokenRedirectResponse
        {
            RedirectRequestId = session.RedirectRequestId,
            Result = RedirectResults.ToMessage(session.Result),
        };
        var sealedResponse = codec.SealWebSafe(Encoding.UTF8.GetBytes(GspJson.Format(response)));
        var separator = session.CallbackUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return $"{session.CallbackUrl}{separator}redirectRequestId={Uri.EscapeDataString(session.RedirectRequestId)}"
            + $"&paymentIntegratorAccountId={Uri.EscapeDataString(session.PaymentIntegratorAccountId)}"
            + $"&redirectResponse={sealedResponse}";
    }

    /// <summary>
    /// Ends a pending session in the caller's transaction with the result <paramref name="ended"/> carries, and queues its complete
    /// notification; false if it had ended already. The status method uses it to end an abandoned session.
    /// </summary>
    public async Task<bool> TryEndAsync(DbTx tx, RedirectSession ended, DateTimeOffset now, CancellationToken ct)
    {
        if (!await sessions.TryFinishAsync(tx, ended, now, ct))
        {
            return false;
        }

        await outbox.EnqueueRedirectCompleteAsync(tx, ended.PaymentIntegratorAccountId, ended.RedirectRequestId, ended.Result, now, ct);
        return true;
    }

    private async Task<RedirectSession> EndAsync(RedirectSession session, string? customerId, LedgerAccount? account, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await database.WriteAsync(
                    async (tx, token) =>
                    {
                        var now = time.GetUtcNow();
                        var ended = await DecideAsync(tx, session, customerId, account, now, token);
                        return await TryEndAsync(tx, ended, now, token) ? Write.Commit(true) : Write.RollBack(false);
                    },
                    ct);
                break;
            }
            catch (Exception e) when (attempt < 3 && database.Classify(e) == StorageFault.DuplicateKey)
            {
                // The token was bound at the same moment by another session: decide again, seeing that binding.
            }
        }

        var result = (await sessions.FindAsync(session.RedirectRequestId, ct))!;
        LogEnded(logger, result.PaymentIntegratorAccountId, result.Result);
        return result;
    }

    /// <summary>The account rule on the account as the back end listed it a moment ago; on success the token is bound to it.</summary>
    private async Task<RedirectSession> DecideAsync(DbTx tx, RedirectSession session, string? customerId, LedgerAccount? account, DateTimeOffset now, CancellationToken ct)
    {
        var declined = session with { Result = RedirectResults.UserExitedPaymentFlow, CustomerId = customerId };
        if (account is null)
        {
            return declined;
        }

        var result = account.CurrencyCode != session.CurrencyCode && account.RefusalFor(null) == AccountRefusal.None
            ? RedirectResults.AccountDoesNotSupportCurrency
            : account.RefusalFor(session.AmountMicros) switch
            {
                AccountRefusal.None => RedirectResults.Success,
                AccountRefusal.Closed => RedirectResults.AccountClosed,
                AccountRefusal.OnHold => RedirectResults.AccountOnHold,
                AccountRefusal.OverLimit => RedirectResults.ChargeExceedsTransactionLimit,
                _ => RedirectResults.InsufficientFunds,
            };
        var chosen = declined with { Result = result, AccountId = account.AccountId };
        if (result != RedirectResults.Success)
        {
            return chosen;
        }

        var (tokenSha256, source) = session.OfferedTokenSha256 is { } offered
            ? (offered, "googlePaymentToken")
            : (SqlLedger.TokenHash(session.RedirectRequestId), "redirectRequestId");

        // A token Google already uses for another account is never moved: that would redirect its payments.
        if (!await ledger.TryBindPaymentTokenAsync(tx, tokenSha256, account, now, ct))
        {
            return chosen with { Result = RedirectResults.RiskDeclined };
        }

        await directory.BindAsync(tx, account, customerId!, ct);
        return chosen with { TokenSha256 = tokenSha256, TokenSource = source };
    }

    private RedirectRefusal? Check(RedirectArrival arrival, out GeneratePaymentTokenRedirectRequest? request)
    {
        request = null;
        if (arrival.UrlLength > RedirectOptions.MaxUrlLength)
        {
            return RedirectRefusal.TooLong();
        }

        if (string.IsNullOrEmpty(arrival.RedirectRequest))
        {
            return RedirectRefusal.Missing(_options.RequestParameter);
        }

        if (string.IsNullOrEmpty(arrival.CallbackUrl))
        {
            return RedirectRefusal.Missing(_options.CallbackParameter);
        }

        if (!CallbackHosts.Allow(arrival.CallbackUrl, _options.CallbackHosts))
        {
            return RedirectRefusal.CallbackNotAllowed();
        }

        var opened = codec.OpenWebSafe(arrival.RedirectRequest);
        if (opened.Error is { } notAuthentic)
        {
            return RedirectRefusal.NotAuthentic(notAuthentic.CodeName ?? "NOT_AUTHENTIC");
        }

        if (!GspJson.TryParse<GeneratePaymentTokenRedirectRequest>(opened.Json, out var parsed))
        {
            return RedirectRefusal.Invalid(GspError.InvalidDecryptedRequest().CodeName ?? "INVALID_DECRYPTED_REQUEST");
        }

        request = parsed;
        return checks.Check(parsed, _options.MaxAge) switch
        {
            null => null,
            { Code: ErrorResponseCode.RequestTimestampOutOfRange } => RedirectRefusal.Expired(),
            var problem => RedirectRefusal.Invalid(problem.CodeName ?? "INVALID"),
        };
    }

    // Never the redirectRequestId: without a googlePaymentToken it becomes the payment token.
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Redirect for {PaymentIntegratorAccountId} arrived ({Result})")]
    private static partial void LogArrived(ILogger logger, string paymentIntegratorAccountId, string result);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Redirect refused: {Code}; nothing was sent")]
    private static partial void LogRefused(ILogger logger, string code);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Redirect for {PaymentIntegratorAccountId} ended: {Result}")]
    private static partial void LogEnded(ILogger logger, string paymentIntegratorAccountId, string result);
}
