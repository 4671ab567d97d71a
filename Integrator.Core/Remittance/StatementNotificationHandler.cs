using System.Text.Json.Nodes;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Storage;
using ResultCode = Integrator.Core.Gsp.V1.RemittanceStatementNotificationResponse.Types.StatementNotificationResultCode;

namespace Integrator.Core.Remittance;

/// <summary>
/// remittanceStatementNotification (docs/gsp-rules.md §7, README "Remittance"): the statement is stored once per (PIAID, statementId) with its
/// summary as Google sent it (unknown fields kept), queued for reconciliation, and acknowledged ACCEPTED — a receipt,
/// not an acceptance. The header's requestId is the statementId.
/// </summary>
public sealed class StatementNotificationHandler(StatementStore statements)
    : IGspMethod<RemittanceStatementNotificationRequest, RemittanceStatementNotificationResponse>
{
    public async Task<GspOutcome<RemittanceStatementNotificationResponse>> ExecuteAsync(
        RemittanceStatementNotificationRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var summary = request.RemittanceStatementSummary;
        var received = request.ReceivedJson is { } json ? JsonNode.Parse(json)?["remittanceStatementSummary"] : null;
        var statement = new NewStatement(
            StatementRowId: Ids.New(),
            PaymentIntegratorAccountId: request.PaymentIntegratorAccountId,
            StatementId: request.RequestHeader.RequestId,
            SummaryJson: received?.ToJsonString() ?? GspJson.Format(summary),
            CurrencyCode: summary.CurrencyCode,
            TotalDueMicros: summary.TotalDueByIntegrator,
            BillingStart: GspTime.Of(summary.BillingPeriod.StartDate),
            BillingEnd: GspTime.Of(summary.BillingPeriod.EndDate),
            DateDue: summary.HasDateDue ? GspTime.Of(summary.DateDue) : null,
            ReceivedAt: now);

        // A statement notified again after its idempotency record was purged keeps its first row and id.
        var rowId = await statements.InsertOnceAsync(tx, statement, ct);
        return new RemittanceStatementNotificationResponse { PaymentIntegratorStatementId = rowId, Result = ResultCode.Accepted };
    }
}
