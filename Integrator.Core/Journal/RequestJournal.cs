using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Journal;

/// <summary>One Google call as support sees it. Request JSON is masked; bodies are the plaintext JSON we answered.</summary>
public sealed record JournalEntry(
    string CallId,
    long ReceivedAt,
    string Method,
    string? AccountId,
    string? RequestId,
    string? ReserveFundsRequestId,
    string? RequestJson,
    int HttpStatus,
    string? ResponseBody,
    string? ErrorCode);

/// <summary>
/// The request journal: EXECUTED rows are written inside the transaction of a first execution, REJECTED rows after an
/// error, and replays bump the executed row's counter. A journal write that fails because the database is down never
/// changes the answer; it is logged instead.
/// </summary>
public sealed partial class RequestJournal(Database database, ILogger<RequestJournal> logger)
{
    private const string Insert = """
        INSERT INTO request_journal (call_id, received_at, method, payment_integrator_account_id, request_id,
                                     reserve_funds_request_id, outcome, request_json, http_status, response_body, error_code)
        VALUES (@CallId, @ReceivedAt, @Method, @AccountId, @RequestId,
                @ReserveFundsRequestId, @Outcome, @RequestJson, @HttpStatus, @ResponseBody, @ErrorCode)
        """;

    private const string CountReplay = """
        UPDATE request_journal SET replay_count = replay_count + 1, last_replayed_at = @Now
        WHERE payment_integrator_account_id = @AccountId AND request_id = @RequestId AND outcome = 'EXECUTED'
        """;

    public Task RecordExecutedAsync(DbTx tx, JournalEntry entry, CancellationToken ct) =>
        tx.ExecuteAsync(Insert, Row(entry, "EXECUTED"), ct);

    public async Task RecordRejectedAsync(JournalEntry entry, CancellationToken ct)
    {
        try
        {
            await database.ExecuteAsync(Insert, Row(entry, "REJECTED"), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The error answer matters more than its journal entry (the database may be why we are answering an error).
            LogNotJournaled(logger, entry.CallId, e.Message);
        }
    }

    public async Task CountReplayAsync(string accountId, string requestId, long nowMillis, CancellationToken ct)
    {
        try
        {
            await database.ExecuteAsync(CountReplay, new { AccountId = accountId, RequestId = requestId, Now = nowMillis }, ct);
        }
        catch (Exception e) when (database.Classify(e) is StorageFault.Unavailable or StorageFault.Conflict)
        {
            LogNotJournaled(logger, requestId, e.Message);
        }
    }

    private static object Row(JournalEntry entry, string outcome) => new
    {
        entry.CallId,
        entry.ReceivedAt,
        entry.Method,
        entry.AccountId,
        entry.RequestId,
        entry.ReserveFundsRequestId,
        Outcome = outcome,
        entry.RequestJson,
        entry.HttpStatus,
        entry.ResponseBody,
        entry.ErrorCode,
    };

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Journal entry for {CallId} not written: {Reason}")]
    private static partial void LogNotJournaled(ILogger logger, string callId, string reason);
}
