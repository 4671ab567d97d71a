using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>
/// What every check shares: the target, Google's client, and the rule it checks — its NUnit description, in an
/// integrator's words, which is also the start of every failure message and the row of the report.
/// </summary>
public abstract class Check
{
    protected static Target Target => Target.Current;

    protected static GspClient Client => Conformance.Client;

    protected static Accounts Accounts => Target.Accounts;

    /// <summary>The rule the running check states (its Description).</summary>
    protected static string Rule => TestContext.CurrentContext.Test.Properties.Get("Description") as string ?? TestContext.CurrentContext.Test.Name;

    [TearDown]
    public void RecordResult()
    {
        var check = TestContext.CurrentContext.Test.MethodName is { } name ? GetType().GetMethod(name) : null;
        var methods = check?.GetCustomAttributes(typeof(MethodAttribute), false).Cast<MethodAttribute>().Select(m => m.Name).ToList() ?? [];
        Conformance.Record(Rule, methods, TestContext.CurrentContext.Result.Outcome, TestContext.CurrentContext.Result.Message);
    }

    /// <summary>Adds what the target sent the kit's Google endpoint to the running check's exchanges.</summary>
    protected static void Show(IEnumerable<ReceivedNotification> received)
    {
        foreach (var notification in received)
        {
            Conformance.Log(notification.AsExchange(Target.Pgp is not null));
        }
    }

    /// <summary>Fails the check, citing its rule and what the target did instead.</summary>
    protected static void Expect(bool holds, string whatHappened)
    {
        if (!holds)
        {
            Assert.Fail($"Rule: {Rule}. {whatHappened}");
        }
    }

    protected static void ExpectStatus(GspAnswer answer, int status, string? errorCode = null) =>
        Expect(
            answer.Status == status && (errorCode is null || answer.ErrorCode == errorCode),
            $"Expected HTTP {status}{(errorCode is null ? string.Empty : " " + errorCode)}, got {answer}.");

    protected static void ExpectResult(GspAnswer answer, string result) =>
        Expect(answer.Status == 200 && answer.Field("result") == result, $"Expected HTTP 200 with result {result}, got {answer}.");

    /// <summary>A replay is the first answer again, byte for byte but for responseHeader.responseTimestamp.</summary>
    protected static void ExpectSameBody(GspAnswer first, GspAnswer replay) =>
        Expect(
            replay.Status == first.Status && replay.WithoutTimestamp() == first.WithoutTimestamp(),
            $"First answer {first}; the retry got {replay}.");

    /// <summary>One request; a target that gives no answer (refused, reset, timed out) fails the rule, saying so.</summary>
    protected static async Task<GspAnswer> PostAsync(string method, JsonNode request, Sealing? sealing = null)
    {
        try
        {
            return await Client.PostAsync(method, request, sealing);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Assert.Fail($"Rule: {Rule}. The target gave no answer to {method}: {e.Message}");
            throw;
        }
    }

    /// <summary>
    /// reserveFunds with one of the accounts file's tokens (<paramref name="role"/>). A token the target does not know
    /// (404 INVALID_IDENTIFIER) means the file does not describe this target: the rule cannot be checked here, and the
    /// check is skipped with that reason rather than failed.
    /// </summary>
    protected static async Task<GspAnswer> ReserveWithAsync(TestAccount account, string role, string? requestId = null)
    {
        var answer = await PostAsync("reserveFunds", Messages.Reserve(requestId ?? Messages.NewId("reserve"), account, Accounts.CurrencyCode));
        if (answer.Status == 404 && answer.ErrorCode == "INVALID_IDENTIFIER")
        {
            Assert.Ignore($"Could not be checked: the target does not know the accounts file's {role} token ({answer}); check {Target.Prefix}ACCOUNTS.");
        }

        return answer;
    }

    /// <summary>A reservation on the funded account; returns its reserveFunds requestId.</summary>
    protected static async Task<string> ReserveAsync(long? amountMicros = null)
    {
        var requestId = Messages.NewId("reserve");
        var account = amountMicros is { } amount ? Accounts.Funded with { AmountMicros = amount } : Accounts.Funded;
        var answer = await ReserveWithAsync(account, "funded", requestId);
        if (answer.Status != 200 || answer.Field("result") != "SUCCESS")
        {
            Assert.Fail($"Could not be checked: the funded account could not reserve ({answer}); check {Target.Prefix}ACCOUNTS.");
        }

        return requestId;
    }

    /// <summary>A reserved and captured amount; returns the capture's requestId.</summary>
    protected static async Task<string> CaptureAsync(long amountMicros)
    {
        var reserve = await ReserveAsync(amountMicros);
        var captureId = Messages.NewId("capture");
        var answer = await PostAsync("captureFundsReservation", Messages.Capture(captureId, reserve, amountMicros));
        if (answer.Status != 200 || answer.Field("result") != "SUCCESS")
        {
            Assert.Fail($"Could not be checked: a reservation of the funded account could not be captured ({answer}).");
        }

        return captureId;
    }
}
