using System.Text.Json.Nodes;

namespace Integrator.Tests.HighAvailability;

/// <summary>
/// Judges a recorded history against what the database holds afterwards, what Google received, and what a replay of
/// every answered call returns now (the promises of README "High availability"). Each anomaly is a line naming the
/// operation and what is wrong; none means the history holds every one of those promises.
/// </summary>
public static class HistoryChecker
{
    /// <param name="notifications">Every cancel notification Google received: the cancel's requestId and the notification's own.</param>
    /// <param name="replays">requestId → the 200 body a replay of it got after the faults.</param>
    public static IReadOnlyList<string> Check(
        IReadOnlyList<HistoryOperation> history,
        DatabaseState database,
        IReadOnlyList<(string CancelRequestId, string NotificationRequestId)> notifications,
        IReadOnlyDictionary<string, string> replays)
    {
        var anomalies = new List<string>();

        // 1. Never two different answers for one requestId: every 200 a client got, and every replay, the same.
        foreach (var group in history.Where(o => o.Outcome == OperationOutcome.Ok).GroupBy(o => o.RequestId))
        {
            var answers = group.Select(o => Normalized(o.Body!)).Concat(replays.TryGetValue(group.Key, out var replay) ? [Normalized(replay)] : []).Distinct().ToList();
            if (answers.Count > 1)
            {
                anomalies.Add($"two answers: {group.Key} was answered {string.Join(" and ", answers)}");
            }
        }

        // 2. Every acknowledged 200 is present, identical, with its effect.
        foreach (var op in history.Where(o => o.Outcome == OperationOutcome.Ok).DistinctBy(o => o.RequestId))
        {
            if (!database.Answers.TryGetValue(op.RequestId, out var stored) || stored.Length == 0)
            {
                anomalies.Add($"lost: {op.Method} {op.RequestId} was answered 200 ({op.Result}) but the database has no answer for it");
            }
            else if (Normalized(stored) != Normalized(op.Body!))
            {
                anomalies.Add($"changed: {op.Method} {op.RequestId} was answered {Normalized(op.Body!)} but the database now holds {Normalized(stored)}");
            }

            if (!replays.ContainsKey(op.RequestId))
            {
                anomalies.Add($"no replay: {op.Method} {op.RequestId} could not be replayed after the faults");
            }
        }

        // 3. Answers and effects go together: every stored answer has its effect and every effect its answer, whatever
        //    the client saw (an unknown operation is absent or complete, never half-applied).
        foreach (var (requestId, body) in database.Answers.Where(a => a.Value.Length > 0))
        {
            var result = JsonNode.Parse(body)?["result"]?.GetValue<string>();
            var method = history.FirstOrDefault(o => o.RequestId == requestId)?.Method;
            var effect = method switch
            {
                "reserveFunds" => database.Reservations.ContainsKey(requestId),
                "captureFundsReservation" => database.Captures.Any(c => c.CaptureRequestId == requestId),
                "refund" => database.Refunds.Any(r => r.RefundRequestId == requestId),
                "cancelFundsReservation" => database.NotifiedCancels.Contains(requestId)
                    && history.First(o => o.RequestId == requestId).ReserveId is { } reserveId
                    && database.Reservations.TryGetValue(reserveId, out var cancelled) && cancelled.State != "RESERVED",
                _ => true,
            };
            var wanted = method == "cancelFundsReservation" || result == "SUCCESS";
            if (effect != wanted)
            {
                anomalies.Add($"half-applied: {method} {requestId} is stored as {result} but its effect is {(effect ? "there" : "missing")}");
            }
        }

        foreach (var reservation in database.Reservations.Values.Where(r => !database.Answers.ContainsKey(r.ReserveRequestId)))
        {
            anomalies.Add($"half-applied: reservation of {reservation.ReserveRequestId} exists without its answer");
        }

        foreach (var capture in database.Captures.Where(c => !database.Answers.ContainsKey(c.CaptureRequestId)))
        {
            anomalies.Add($"half-applied: capture {capture.CaptureRequestId} exists without its answer");
        }

        foreach (var refund in database.Refunds.Where(r => !database.Answers.ContainsKey(r.RefundRequestId)))
        {
            anomalies.Add($"half-applied: refund {refund.RefundRequestId} exists without its answer");
        }

        foreach (var cancel in database.NotifiedCancels.Where(c => !database.Answers.ContainsKey(c)))
        {
            anomalies.Add($"half-applied: cancel {cancel} has a notification row without its answer");
        }

        // 4. A refusal leaves nothing.
        foreach (var op in history.Where(o => o.Outcome == OperationOutcome.Fail && history.All(x => x.RequestId != o.RequestId || x.Outcome != OperationOutcome.Ok)))
        {
            if (database.Answers.ContainsKey(op.RequestId))
            {
                anomalies.Add($"refused but done: {op.Method} {op.RequestId} was refused {op.Status} but the database holds an answer");
            }
        }

        // 5. No effect twice.
        foreach (var twice in database.Captures.GroupBy(c => c.ReservationId).Where(g => g.Count() > 1))
        {
            anomalies.Add($"double capture: reservation {twice.Key} has {twice.Count()} captures");
        }

        foreach (var capture in database.Captures)
        {
            var refunded = database.Refunds.Where(r => r.CaptureId == capture.CaptureId).Sum(r => r.AmountMicros);
            if (refunded > capture.AmountMicros || refunded != capture.RefundedMicros)
            {
                anomalies.Add($"refunds: capture {capture.CaptureRequestId} of {capture.AmountMicros} has refunds of {refunded} (recorded {capture.RefundedMicros})");
            }
        }

        anomalies.AddRange(database.UnbalancedAccounts.Select(a => $"ledger: account {a}'s held or captured money differs from its reservations"));

        // 6. One notification per cancel that happened, none for one that did not.
        var sent = notifications.GroupBy(n => n.CancelRequestId).ToDictionary(g => g.Key, g => g.Select(n => n.NotificationRequestId).Distinct().Count());
        foreach (var cancel in database.NotifiedCancels)
        {
            if (sent.GetValueOrDefault(cancel) != 1)
            {
                anomalies.Add($"notification: cancel {cancel} reached Google under {sent.GetValueOrDefault(cancel)} notification requestIds (one expected)");
            }
        }

        foreach (var cancel in sent.Keys.Except(database.NotifiedCancels))
        {
            anomalies.Add($"notification: Google was told of cancel {cancel}, which the database does not hold");
        }

        return anomalies;
    }

    /// <summary>An answer without its response timestamp, which a replay refreshes.</summary>
    public static string Normalized(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json.Remove("responseHeader");
        return json.ToJsonString();
    }
}
