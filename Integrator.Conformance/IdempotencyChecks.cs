namespace Integrator.Conformance;

/// <summary>Idempotency (every method): replays, reused keys, errors never remembered, concurrent duplicates, scope.</summary>
public sealed class IdempotencyChecks : Check
{
    [Method("reserveFunds")]
    [Test(Description = "A retry of a successful reserveFunds gets the same body except responseTimestamp")]
    public async Task ARetryOfASuccessfulReserveGetsTheSameBody()
    {
        var request = Messages.Reserve(Messages.NewId("reserve"), Accounts.Funded, Accounts.CurrencyCode);
        var first = await PostAsync("reserveFunds", request);
        ExpectResult(first, "SUCCESS");
        request["requestHeader"]!["requestTimestamp"] = Messages.Now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ExpectSameBody(first, await PostAsync("reserveFunds", request));
    }

    [Method("reserveFunds")]
    [Test(Description = "A retry of a declined reserveFunds gets the same decline")]
    public async Task ARetryOfADeclinedReserveGetsTheSameDecline()
    {
        var requestId = Messages.NewId("reserve");
        var first = await ReserveWithAsync(Accounts.InsufficientFunds, "insufficientFunds", requestId);
        ExpectResult(first, "INSUFFICIENT_FUNDS");
        ExpectSameBody(first, await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.InsufficientFunds, Accounts.CurrencyCode)));
    }

    [Method("captureFundsReservation")]
    [Test(Description = "A retry of a successful captureFundsReservation gets the same body except responseTimestamp")]
    public async Task ARetryOfACaptureGetsTheSameBody()
    {
        var reserve = await ReserveAsync();
        var request = Messages.Capture(Messages.NewId("capture"), reserve, Accounts.Funded.AmountMicros);
        var first = await PostAsync("captureFundsReservation", request);
        ExpectResult(first, "SUCCESS");
        ExpectSameBody(first, await PostAsync("captureFundsReservation", request));
    }

    [Method("cancelFundsReservation")]
    [Test(Description = "A retry of a successful cancel gets the same body except responseTimestamp")]
    public async Task ARetryOfACancelGetsTheSameBody()
    {
        var request = Messages.Cancel(Messages.NewId("cancel"), await ReserveAsync());
        var first = await PostAsync("cancelFundsReservation", request);
        ExpectResult(first, "SUCCESS");
        ExpectSameBody(first, await PostAsync("cancelFundsReservation", request));
    }

    [Method("refund")]
    [Test(Description = "A retry of a successful refund gets the same body except responseTimestamp")]
    public async Task ARetryOfARefundGetsTheSameBody()
    {
        var capture = await CaptureAsync(2_000_000);
        var request = Messages.Refund(Messages.NewId("refund"), capture, 1_000_000, Accounts.CurrencyCode);
        var first = await PostAsync("refund", request);
        ExpectResult(first, "SUCCESS");
        ExpectSameBody(first, await PostAsync("refund", request));
    }

    [Method("reserveFunds")]
    [Test(Description = "A different request under a used requestId is refused with 412 IDEMPOTENCY_VIOLATION")]
    public async Task ADifferentRequestUnderAUsedKeyIs412()
    {
        var requestId = Messages.NewId("reserve");
        ExpectResult(await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.Funded, Accounts.CurrencyCode)), "SUCCESS");
        var other = Messages.Reserve(requestId, Accounts.Funded with { AmountMicros = Accounts.Funded.AmountMicros + 1 }, Accounts.CurrencyCode);
        ExpectStatus(await PostAsync("reserveFunds", other), 412, "IDEMPOTENCY_VIOLATION");
    }

    [Method("reserveFunds")]
    [Method("cancelFundsReservation")]
    [Test(Description = "A used requestId sent to another method is refused with 412 IDEMPOTENCY_VIOLATION")]
    public async Task AUsedKeyOnAnotherMethodIs412()
    {
        var requestId = Messages.NewId("reserve");
        ExpectResult(await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.Funded, Accounts.CurrencyCode)), "SUCCESS");
        ExpectStatus(await PostAsync("cancelFundsReservation", Messages.Cancel(requestId, requestId)), 412, "IDEMPOTENCY_VIOLATION");
    }

    [Method("reserveFunds")]
    [Test(Description = "An error is never replayed: the same requestId, corrected, is processed afresh")]
    public async Task AnErrorIsNeverReplayed()
    {
        var requestId = Messages.NewId("reserve");
        var unknownToken = Messages.Reserve(requestId, Accounts.Funded with { GooglePaymentToken = Messages.NewId("no-such-token") }, Accounts.CurrencyCode);
        ExpectStatus(await PostAsync("reserveFunds", unknownToken), 404, "INVALID_IDENTIFIER");
        ExpectResult(await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.Funded, Accounts.CurrencyCode)), "SUCCESS");
    }

    [Method("reserveFunds")]
    [Test(Description = "50 concurrent copies of one reserveFunds reserve once, and every answer is that one")]
    public async Task FiftyConcurrentDuplicatesHaveOneEffect()
    {
        var request = Messages.Reserve(Messages.NewId("reserve"), Accounts.Funded, Accounts.CurrencyCode);
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => PostAsync("reserveFunds", request.DeepClone())));
        var succeeded = answers.Where(a => a.Status == 200).ToList();
        var unexpected = answers.FirstOrDefault(a => a.Status is not (200 or 409 or 503));
        Expect(unexpected is null, $"Only 200 or a retryable 409/503 may answer a duplicate; got {unexpected}.");
        var transactions = succeeded.Select(a => a.Field("paymentIntegratorTransactionId")).Distinct().ToList();
        Expect(succeeded.Count > 0 && transactions.Count == 1, $"{succeeded.Count} answers of 50 succeeded, naming {transactions.Count} different reservations.");
    }

    [Method("reserveFunds")]
    [Test(Description = "The idempotency key is scoped by paymentIntegratorAccountId: one requestId under two PIAIDs is two requests")]
    public async Task TheKeyIsScopedByPaymentIntegratorAccountId()
    {
        if (Target.AccountIds.Count < 2)
        {
            Assert.Ignore($"Needs two PIAIDs (--piaid twice, or {Target.Prefix}PIAIDS).");
        }

        var requestId = Messages.NewId("reserve");
        var first = await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.Funded, Accounts.CurrencyCode, Target.AccountIds[0]));
        var second = await PostAsync("reserveFunds", Messages.Reserve(requestId, Accounts.Funded, Accounts.CurrencyCode, Target.AccountIds[1]));
        ExpectResult(first, "SUCCESS");
        ExpectResult(second, "SUCCESS");
        Expect(
            first.Field("paymentIntegratorTransactionId") != second.Field("paymentIntegratorTransactionId"),
            $"Both PIAIDs got reservation {first.Field("paymentIntegratorTransactionId")}.");
    }
}
