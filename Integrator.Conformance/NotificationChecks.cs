namespace Integrator.Conformance;

/// <summary>cancelFundsReservationResultNotification, received on the kit's Google endpoint.</summary>
public sealed class NotificationChecks : Check
{
    [Method("cancelFundsReservationResultNotification")]
    [Test(Description = "A successful cancel is notified with the same requestId on every attempt until Google accepts it, and a replay is not notified again")]
    public async Task ACancelIsNotifiedOnceWithOneRequestId()
    {
        var google = Conformance.Google;
        var cancel = Messages.Cancel(Messages.NewId("cancel"), await ReserveAsync());
        var cancelRequestId = cancel["requestHeader"]!["requestId"]!.GetValue<string>();
        google.Fail(cancelRequestId, attempts: 1);
        ExpectResult(await PostAsync("cancelFundsReservation", cancel), "SUCCESS");

        var deadline = DateTime.UtcNow + Target.NotificationWait;
        while (google.For(cancelRequestId).All(n => n.AnsweredStatus != 200) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var attempts = google.For(cancelRequestId);
        Show(attempts);
        Expect(attempts.Any(n => n.AnsweredStatus == 200), $"No notification accepted within {Target.NotificationWait} ({attempts.Count} attempts).");
        Expect(attempts.Count >= 2 && attempts[0].AnsweredStatus == 503, $"The notification was not retried after a 503 ({attempts.Count} attempts).");
        Expect(attempts.Select(n => n.RequestId).Distinct().Count() == 1, $"Attempts carried requestIds {string.Join(", ", attempts.Select(n => n.RequestId))}.");
        Expect(
            attempts.All(n => n.Body?["cancelFundsReservationResult"]?.GetValue<string>() == "SUCCESS"
                && n.Body?["paymentIntegratorAccountId"]?.GetValue<string>() == Target.AccountId
                && n.Path.EndsWith("/" + Target.AccountId, StringComparison.Ordinal)),
            $"A notification does not report SUCCESS for {Target.AccountId}: {attempts[0].Body}.");

        ExpectResult(await PostAsync("cancelFundsReservation", cancel), "SUCCESS");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Expect(google.For(cancelRequestId).Count == attempts.Count, "A replay of the cancel was notified again.");
    }
}
