namespace Integrator.Conformance;

/// <summary>reserveFunds declines, captureFundsReservation and cancelFundsReservation rules.</summary>
public sealed class FundsChecks : Check
{
    [Method("reserveFunds")]
    [Test(Description = "reserveFunds on an account without the funds declines with INSUFFICIENT_FUNDS (HTTP 200)")]
    public async Task InsufficientFundsIsADecline() =>
        ExpectResult(await ReserveWithAsync(Accounts.InsufficientFunds, "insufficientFunds"), "INSUFFICIENT_FUNDS");

    [Method("reserveFunds")]
    [Test(Description = "reserveFunds on a closed account declines with ACCOUNT_CLOSED (HTTP 200)")]
    public async Task AClosedAccountIsADecline() => ExpectResult(await ReserveWithAsync(Accounts.Closed, "closed"), "ACCOUNT_CLOSED");

    [Method("reserveFunds")]
    [Test(Description = "reserveFunds on an account on hold declines with ACCOUNT_ON_HOLD (HTTP 200)")]
    public async Task AnAccountOnHoldIsADecline() => ExpectResult(await ReserveWithAsync(Accounts.OnHold, "onHold"), "ACCOUNT_ON_HOLD");

    [Method("reserveFunds")]
    [Test(Description = "reserveFunds over the account's transaction limit declines with CHARGE_EXCEEDS_TRANSACTION_LIMIT (HTTP 200)")]
    public async Task OverTheLimitIsADecline() => ExpectResult(await ReserveWithAsync(Accounts.OverLimit, "overLimit"), "CHARGE_EXCEEDS_TRANSACTION_LIMIT");

    [Method("reserveFunds")]
    [Test(Description = "reserveFunds with an unknown googlePaymentToken is refused with 404 INVALID_IDENTIFIER")]
    public async Task AnUnknownTokenIs404() =>
        ExpectStatus(await ReserveWith(Accounts.Funded with { GooglePaymentToken = Messages.NewId("no-such-token") }), 404, "INVALID_IDENTIFIER");

    [Method("captureFundsReservation")]
    [Test(Description = "A capture above the reserved amount is refused with 400 PRECONDITION_VIOLATION")]
    public async Task ACaptureAboveTheReservationIsRefused()
    {
        var reserve = await ReserveAsync();
        ExpectStatus(await Capture(reserve, Accounts.Funded.AmountMicros + 1), 400, "PRECONDITION_VIOLATION");
    }

    [Method("captureFundsReservation")]
    [Test(Description = "A second capture of one reservation is refused with 400 PRECONDITION_VIOLATION")]
    public async Task ASecondCaptureIsRefused()
    {
        var reserve = await ReserveAsync();
        ExpectResult(await Capture(reserve, Accounts.Funded.AmountMicros), "SUCCESS");
        ExpectStatus(await Capture(reserve, Accounts.Funded.AmountMicros), 400, "PRECONDITION_VIOLATION");
    }

    [Method("captureFundsReservation")]
    [Test(Description = "A capture of a cancelled reservation is refused with 400 PRECONDITION_VIOLATION")]
    public async Task ACaptureOfACancelledReservationIsRefused()
    {
        var reserve = await ReserveAsync();
        ExpectResult(await Cancel(reserve), "SUCCESS");
        ExpectStatus(await Capture(reserve, Accounts.Funded.AmountMicros), 400, "PRECONDITION_VIOLATION");
    }

    [Method("cancelFundsReservation")]
    [Test(Description = "Cancelling a live reservation succeeds")]
    public async Task CancellingALiveReservationSucceeds() => ExpectResult(await Cancel(await ReserveAsync()), "SUCCESS");

    [Method("cancelFundsReservation")]
    [Test(Description = "Cancelling an already cancelled reservation, with a new requestId, succeeds")]
    public async Task CancellingACancelledReservationSucceeds()
    {
        var reserve = await ReserveAsync();
        ExpectResult(await Cancel(reserve), "SUCCESS");
        ExpectResult(await Cancel(reserve), "SUCCESS");
    }

    [Method("cancelFundsReservation")]
    [Test(Description = "Cancelling a captured reservation is refused with 400 PRECONDITION_VIOLATION")]
    public async Task CancellingACapturedReservationIsRefused()
    {
        var reserve = await ReserveAsync();
        ExpectResult(await Capture(reserve, Accounts.Funded.AmountMicros), "SUCCESS");
        ExpectStatus(await Cancel(reserve), 400, "PRECONDITION_VIOLATION");
    }

    [Method("cancelFundsReservation")]
    [Test(Description = "Cancelling an unknown reservation is refused with 404 INVALID_IDENTIFIER")]
    public async Task CancellingAnUnknownReservationIs404() =>
        ExpectStatus(await Cancel(Messages.NewId("no-such-reservation")), 404, "INVALID_IDENTIFIER");

    [Method("cancelFundsReservation")]
    [Test(Description = "Cancelling an expired reservation succeeds (it is already released)")]
    public async Task CancellingAnExpiredReservationSucceeds()
    {
        var lifetime = Target.ReservationLifetime is { } configured && configured <= TimeSpan.FromMinutes(1)
            ? configured
            : throw new IgnoreException($"Needs a short reservation lifetime on the target, named in {Target.Prefix}RESERVATION_LIFETIME (at most a minute).");
        var reserve = await ReserveAsync();
        await Task.Delay(lifetime + TimeSpan.FromSeconds(1));
        ExpectResult(await Cancel(reserve), "SUCCESS");
    }

    [Method("refund")]
    [Test(Description = "A partial refund succeeds, and refunds together never exceed the capture (400 PRECONDITION_VIOLATION)")]
    public async Task RefundsNeverExceedTheCapture()
    {
        var capture = await CaptureAsync(3_000_000);
        ExpectResult(await Refund(capture, 2_000_000), "SUCCESS");
        ExpectStatus(await Refund(capture, 2_000_000), 400, "PRECONDITION_VIOLATION");
        ExpectResult(await Refund(capture, 1_000_000), "SUCCESS");
    }

    [Method("refund")]
    [Test(Description = "A refund of an unknown captureRequestId is refused with 404 INVALID_IDENTIFIER")]
    public async Task ARefundOfAnUnknownCaptureIs404() =>
        ExpectStatus(await Refund(Messages.NewId("no-such-capture"), 1_000_000), 404, "INVALID_IDENTIFIER");

    private static Task<GspAnswer> ReserveWith(TestAccount account) =>
        PostAsync("reserveFunds", Messages.Reserve(Messages.NewId("reserve"), account, Accounts.CurrencyCode));

    private static Task<GspAnswer> Capture(string reserve, long amountMicros) =>
        PostAsync("captureFundsReservation", Messages.Capture(Messages.NewId("capture"), reserve, amountMicros));

    private static Task<GspAnswer> Cancel(string reserve) => PostAsync("cancelFundsReservation", Messages.Cancel(Messages.NewId("cancel"), reserve));

    private static Task<GspAnswer> Refund(string capture, long amountMicros) =>
        PostAsync("refund", Messages.Refund(Messages.NewId("refund"), capture, amountMicros, Accounts.CurrencyCode));
}
