using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>remittanceStatementNotification: a receipt, idempotent like every method, tolerant of fields Google adds.</summary>
public sealed class StatementChecks : Check
{
    private const string Method = "remittanceStatementNotification";

    [Method(Method)]
    [Test(Description = "A remittance statement is acknowledged with result ACCEPTED and the integrator's statement id (a receipt, HTTP 200)")]
    public async Task AStatementIsAcknowledged()
    {
        var answer = await PostAsync(Method, Statement());
        ExpectResult(answer, "ACCEPTED");
        Expect(!string.IsNullOrEmpty(answer.Field("paymentIntegratorStatementId")), $"The receipt names no paymentIntegratorStatementId: {answer}.");
    }

    [Method(Method)]
    [Test(Description = "A retry of a remittance statement gets the same receipt except responseTimestamp")]
    public async Task ARetryOfAStatementGetsTheSameReceipt()
    {
        var statement = Statement();
        var first = await PostAsync(Method, statement);
        ExpectResult(first, "ACCEPTED");
        ExpectSameBody(first, await PostAsync(Method, statement));
    }

    [Method(Method)]
    [Test(Description = "Another statement under a used statementId is refused with 412 IDEMPOTENCY_VIOLATION")]
    public async Task AnotherStatementUnderAUsedStatementIdIs412()
    {
        var statement = Statement();
        ExpectResult(await PostAsync(Method, statement), "ACCEPTED");
        var other = statement.DeepClone();
        other["remittanceStatementSummary"]!["totalDueByIntegrator"] = "999000000";
        ExpectStatus(await PostAsync(Method, other), 412, "IDEMPOTENCY_VIOLATION");
    }

    [Method(Method)]
    [Test(Description = "A statement with fields from a later version (at the top and in the summary) is accepted, and its retry gets the same receipt")]
    public async Task AStatementWithUnknownFieldsIsAccepted()
    {
        var statement = Statement();
        statement["aFieldFromALaterMinorVersion"] = "value";
        statement["remittanceStatementSummary"]!["totalWithholdingTaxes"] = "0";
        statement["remittanceStatementSummary"]!["aFutureSummaryField"] = new JsonObject { ["nested"] = true };
        var first = await PostAsync(Method, statement);
        ExpectResult(first, "ACCEPTED");
        ExpectSameBody(first, await PostAsync(Method, statement));
    }

    private static JsonObject Statement() => Messages.Statement(Messages.NewId("statement"), 0, Accounts.CurrencyCode);
}
