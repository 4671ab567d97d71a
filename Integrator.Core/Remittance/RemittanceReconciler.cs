using Integrator.Core.Gsp;
using Integrator.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AcceptResult = Integrator.Core.Gsp.V1.AcceptRemittanceStatementResponse.Types.AcceptRemittanceStatementResultCode;

namespace Integrator.Core.Remittance;

/// <summary>
/// The reconciliation job (docs/gsp-rules.md §7, README "Remittance"). For each due statement, under a lease: a RECEIVED one has its events fetched
/// from Google page by page (remittanceStatementDetails), compared with our captures and refunds, and stored as
/// MATCHED or DISCREPANCY with every difference; a MATCHED one is accepted when <c>Remittance:AutoAccept</c> (a
/// DISCREPANCY only once support accepts it). acceptRemittanceStatement keeps one requestId, fixed when acceptance was
/// decided, on every attempt, so a retry after a crash cannot accept twice. Every call is recorded; failures are
/// retried with backoff. Several instances may run one job each against one database.
/// </summary>
public sealed partial class RemittanceReconciler(
    StatementStore statements,
    OurRecords ourRecords,
    GoogleRemittanceClient google,
    RemittanceMetrics metrics,
    Database database,
    IOptions<RemittanceOptions> options,
    TimeProvider time,
    ILogger<RemittanceReconciler> logger) : BackgroundService
{
    private readonly RemittanceOptions _options = options.Value;

    /// <summary>Names this job in leases and recorded calls.</summary>
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Ids.New()[^8..]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await RunOnceAsync(stoppingToken);
                metrics.Update(await statements.StatsAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A fault here must not stop the host; the statement's lease runs out and it is taken up again.
                LogLoopFault(logger, e);
            }

            if (!worked)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        try
        {
            await statements.ReleaseLeasesAsync(Id, CancellationToken.None);
        }
        catch (Exception e) when (database.Classify(e) != StorageFault.None)
        {
            LogStorageFault(logger, "release its leases", e.Message);
        }
    }

    /// <summary>Works one due statement, if there is one; true if it did.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var statement = await statements.ClaimNextAsync(Id, now, now + _options.Lease, ct);
        if (statement is null)
        {
            return false;
        }

        if (statement.Status == StatementStatus.Received)
        {
            await ReconcileAsync(statement, ct);
        }
        else if (statement.AcceptRequestId is { } acceptRequestId)
        {
            await AcceptAsync(statement, acceptRequestId, ct);
        }
        else
        {
            // Nothing left to do (support changed its mind, or a stale schedule): drop the schedule.
            await statements.RescheduleAsync(statement.StatementRowId, Id, "nothing to do", now, null, ct);
        }

        return true;
    }

    /// <summary>
    /// Fetches every page, checking that Google's paging holds together (see <see cref="StatementPaging"/>): a page that
    /// does not fails the statement with the reason, recorded and retried later. Each page's events are stored in a
    /// transaction of their own (renewing the lease), so other writes are never queued behind one huge write.
    /// </summary>
    private async Task ReconcileAsync(ClaimedStatement statement, CancellationToken ct)
    {
        if (!await statements.BeginReconciliationAsync(statement.StatementRowId, Id, LeaseUntil(), ct))
        {
            LogLostLease(logger, statement.StatementId);
            return;
        }

        var events = new List<StatementEventRow>();
        var paging = new StatementPaging(_options.PageSize, _options.MaxEvents);
        while (!paging.Complete)
        {
            var requestId = Ids.New();
            var offset = paging.NextOffset;
            var answer = await google.DetailsAsync(statement.PaymentIntegratorAccountId, statement.StatementId, requestId, offset, _options.PageSize, ct);
            await RecordAsync(statement, GspMethods.RemittanceStatementDetails, requestId, answer.HttpStatus, answer.LatencyMs, answer.Error, ct);
            var page = answer.Response is { } response ? StatementEvents.Of(response, events.Count).ToList() : null;
            var refusal = answer.Response is null ? answer.Error : paging.Accept(answer.Response, page!.Count);
            if (refusal is not null)
            {
                await FailAsync(statement, $"remittanceStatementDetails at offset {offset}: {refusal}", ct);
                return;
            }

            events.AddRange(page!);
            if (!await statements.SaveEventsAsync(statement.StatementRowId, Id, page!, LeaseUntil(), ct))
            {
                LogLostLease(logger, statement.StatementId);
                return;
            }
        }

        var (captures, refunds) = await ourRecords.LoadAsync(statement, events, ct);
        var differences = Reconciliation.Compare(statement.TotalDueMicros, paging.TotalEvents, events, captures, refunds);
        var acceptRequestId = differences.Count == 0 && _options.AutoAccept ? Ids.New() : null;
        if (!await statements.SaveVerdictAsync(
            statement.StatementRowId, Id, events.Count, differences, acceptRequestId, time.GetUtcNow(), LeaseUntil(), ct))
        {
            LogLostLease(logger, statement.StatementId);
            return;
        }

        if (differences.Count == 0)
        {
            LogMatched(logger, statement.StatementId, events.Count);
        }
        else
        {
            LogDiscrepancy(logger, statement.StatementId, differences.Count);
        }
    }

    private DateTimeOffset LeaseUntil() => time.GetUtcNow() + _options.Lease;

    private async Task AcceptAsync(ClaimedStatement statement, string requestId, CancellationToken ct)
    {
        var answer = await google.AcceptAsync(statement.PaymentIntegratorAccountId, statement.StatementId, requestId, ct);
        var error = answer.Error ?? (answer.Response!.AcceptRemittanceStatementResultCode == AcceptResult.Success
            ? null
            : $"acceptRemittanceStatementResultCode {answer.Response.AcceptRemittanceStatementResultCode}");
        await RecordAsync(statement, GspMethods.AcceptRemittanceStatement, requestId, answer.HttpStatus, answer.LatencyMs, error, ct);
        if (error is not null)
        {
            await FailAsync(statement, $"acceptRemittanceStatement: {error}", ct);
            return;
        }

        await statements.MarkAcceptedAsync(statement.StatementRowId, Id, time.GetUtcNow(), ct);
        LogAccepted(logger, statement.StatementId);
    }

    private async Task RecordAsync(ClaimedStatement statement, string method, string requestId, int? status, long latencyMs, string? error, CancellationToken ct)
    {
        metrics.RecordCall(method, error is null);
        var call = new StatementCall(
            statement.StatementRowId, method, requestId, time.GetUtcNow(), Id, status, latencyMs, error is null, error);
        await statements.RecordCallAsync(call, ct);
    }

    private async Task FailAsync(ClaimedStatement statement, string error, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var next = now + RetrySchedule.Delay(statement.AttemptCount + 1, _options.FirstRetryDelay, _options.MaxRetryDelay, Random.Shared.NextDouble());
        await statements.RescheduleAsync(statement.StatementRowId, Id, error, now, next, ct);
        LogRetry(logger, statement.StatementId, statement.AttemptCount + 1, error, next);
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Statement {StatementId} MATCHED: {Events} events")]
    private static partial void LogMatched(ILogger logger, string statementId, int events);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Statement {StatementId} is a DISCREPANCY: {Differences} differences; support must look at it")]
    private static partial void LogDiscrepancy(ILogger logger, string statementId, int differences);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Statement {StatementId} accepted by Google")]
    private static partial void LogAccepted(ILogger logger, string statementId);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "Statement {StatementId} attempt {Attempt} failed ({Error}); next attempt at {NextAttempt:O}")]
    private static partial void LogRetry(ILogger logger, string statementId, long attempt, string error, DateTimeOffset nextAttempt);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "Statement {StatementId}: the lease ran out during reconciliation; another instance takes it")]
    private static partial void LogLostLease(ILogger logger, string statementId);

    [LoggerMessage(EventId = 805, Level = LogLevel.Error, Message = "Reconciliation job fault; it carries on at the next poll")]
    private static partial void LogLoopFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 806, Level = LogLevel.Warning, Message = "Reconciliation job could not {Action}: {Reason}")]
    private static partial void LogStorageFault(ILogger logger, string action, string reason);
}
