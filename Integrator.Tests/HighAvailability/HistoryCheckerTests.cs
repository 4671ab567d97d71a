namespace Integrator.Tests.HighAvailability;

/// <summary>
/// The checker checked: a clean history passes, and each planted anomaly — a lost acknowledged cancel, a half-applied
/// unknown reserve, a double capture, two different answers, a missing, a duplicated and a spurious notification — is
/// caught by name.
/// </summary>
public sealed class HistoryCheckerTests
{
    private const string Success = """{"responseHeader":{"responseTimestamp":"1"},"result":"SUCCESS"}""";

    [Test]
    public void ACleanHistoryPasses() => Assert.That(Check(Scenario()), Is.Empty);

    [Test]
    public void ALostAcknowledgedCancelIsCaught()
    {
        var scenario = Scenario();
        scenario.Database.Answers.Remove("cancel-2");
        scenario.Database.NotifiedCancels.Remove("cancel-2");
        scenario.Notifications.Clear();

        Assert.That(Check(scenario), Has.Some.StartsWith("lost: cancelFundsReservation cancel-2"));
    }

    [Test]
    public void AHalfAppliedUnknownOperationIsCaught()
    {
        var scenario = Scenario();
        scenario.Database.Answers["reserve-3"] = Success;

        Assert.That(Check(scenario), Has.Some.StartsWith("half-applied: reserveFunds reserve-3"));
    }

    [Test]
    public void AnEffectWithoutItsAnswerIsCaught()
    {
        var scenario = Scenario();
        scenario.Database.Reservations["reserve-3"] = new DatabaseState.ReservationRow("res-3", "reserve-3", 1_000_000, "RESERVED");

        Assert.That(Check(scenario), Has.Some.StartsWith("half-applied: reservation of reserve-3"));
    }

    [Test]
    public void ADoubleCaptureIsCaught()
    {
        var scenario = Scenario();
        scenario.Database.Captures.Add(new DatabaseState.CaptureRow("cap-x", "capture-x", "res-1", 1_000_000, 0));
        scenario.Database.Answers["capture-x"] = Success;

        Assert.That(Check(scenario), Has.Some.StartsWith("double capture: reservation res-1"));
    }

    [Test]
    public void TwoDifferentAnswersAreCaught()
    {
        var scenario = Scenario();
        scenario.Replays["reserve-1"] = """{"responseHeader":{"responseTimestamp":"9"},"result":"INSUFFICIENT_FUNDS"}""";

        Assert.That(Check(scenario), Has.Some.StartsWith("two answers: reserve-1"));
    }

    [Test]
    public void AMissingNotificationIsCaught()
    {
        var scenario = Scenario();
        scenario.Notifications.Clear();

        Assert.That(Check(scenario), Has.Some.StartsWith("notification: cancel cancel-2 reached Google under 0"));
    }

    [Test]
    public void ADuplicatedNotificationIsCaught()
    {
        var scenario = Scenario();
        scenario.Notifications.Add(("cancel-2", "notification-other"));

        Assert.That(Check(scenario), Has.Some.StartsWith("notification: cancel cancel-2 reached Google under 2"));
    }

    [Test]
    public void ANotificationOfALostCancelIsCaught()
    {
        var scenario = Scenario();
        scenario.Notifications.Add(("cancel-9", "notification-9"));

        Assert.That(Check(scenario), Has.Some.StartsWith("notification: Google was told of cancel cancel-9"));
    }

    private static IReadOnlyList<string> Check(Planted scenario) =>
        HistoryChecker.Check(scenario.History, scenario.Database, scenario.Notifications, scenario.Replays);

    /// <summary>A reserve captured and partly refunded, a reserve cancelled with its notification, and an unknown reserve that never happened.</summary>
    private static Planted Scenario()
    {
        var at = DateTimeOffset.UnixEpoch;
        List<HistoryOperation> history =
        [
            new(1, "c1", "reserveFunds", "reserve-1", "reserve-1", null, 5_000_000, at, at, OperationOutcome.Ok, 200, Success),
            new(2, "c1", "captureFundsReservation", "capture-1", "reserve-1", null, 5_000_000, at, at, OperationOutcome.Ok, 200, Success),
            new(3, "c2", "refund", "refund-1", "reserve-1", "capture-1", 1_000_000, at, at, OperationOutcome.Ok, 200, Success),
            new(4, "c2", "reserveFunds", "reserve-2", "reserve-2", null, 2_000_000, at, at, OperationOutcome.Ok, 200, Success),
            new(5, "c1", "cancelFundsReservation", "cancel-2", "reserve-2", null, 0, at, at, OperationOutcome.Ok, 200, Success),
            new(6, "c2", "reserveFunds", "reserve-3", "reserve-3", null, 1_000_000, at, at, OperationOutcome.Unknown, 503, null),
            new(7, "c2", "captureFundsReservation", "capture-2", "reserve-2", null, 2_000_000, at, at, OperationOutcome.Fail, 400, null),
        ];
        var database = new DatabaseState
        {
            Answers = new() { ["reserve-1"] = Success, ["capture-1"] = Success, ["refund-1"] = Success, ["reserve-2"] = Success, ["cancel-2"] = Success },
            Reservations = new()
            {
                ["reserve-1"] = new("res-1", "reserve-1", 5_000_000, "CAPTURED"),
                ["reserve-2"] = new("res-2", "reserve-2", 2_000_000, "CANCELLED"),
            },
            Captures = [new("cap-1", "capture-1", "res-1", 5_000_000, 1_000_000)],
            Refunds = [new("ref-1", "refund-1", "cap-1", 1_000_000)],
            NotifiedCancels = ["cancel-2"],
        };
        var replays = history.Where(o => o.Outcome == OperationOutcome.Ok).ToDictionary(o => o.RequestId, o => o.Body!.Replace("\"1\"", "\"2\"", StringComparison.Ordinal));
        return new Planted(history, database, [("cancel-2", "notification-2")], replays);
    }

    private sealed record Planted(
        List<HistoryOperation> History, DatabaseState Database, List<(string CancelRequestId, string NotificationRequestId)> Notifications, Dictionary<string, string> Replays);
}
