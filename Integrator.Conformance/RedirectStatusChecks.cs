namespace Integrator.Conformance;

/// <summary>
/// getGeneratePaymentTokenRedirectStatus: an unknown id is 404; a redirect the target knows (named in the accounts
/// file's <c>redirects</c>) answers its result in the shape Google reads.
/// </summary>
public sealed class RedirectStatusChecks : Check
{
    private const string Method = "getGeneratePaymentTokenRedirectStatus";

    [Method(Method)]
    [Test(Description = "The status of an unknown redirectRequestId is refused with 404 INVALID_IDENTIFIER")]
    public async Task AnUnknownRedirectIs404() =>
        ExpectStatus(await Status(Messages.NewId("no-such-redirect")), 404, "INVALID_IDENTIFIER");

    [Method(Method)]
    [Test(Description = "The status of a redirect still in progress is HTTP 200 with result {\"pending\": {}}")]
    public async Task APendingRedirectIsPending() =>
        ExpectOutcome(await Status(Accounts.PendingRedirect ?? throw NotNamed("pending")), "pending");

    [Method(Method)]
    [Test(Description = "The status of a redirect the customer approved is HTTP 200 with result {\"success\": {}}")]
    public async Task ASuccessfulRedirectIsSuccess() =>
        ExpectOutcome(await Status(Accounts.SuccessfulRedirect ?? throw NotNamed("success")), "success");

    private static Task<GspAnswer> Status(string redirectRequestId) =>
        PostAsync(Method, Messages.RedirectStatus(Messages.NewId("status"), redirectRequestId));

    /// <summary>result is an object with exactly one member, the outcome, itself an object; a responseHeader is there.</summary>
    private static void ExpectOutcome(GspAnswer answer, string outcome) =>
        Expect(
            answer.Status == 200
                && answer.Json?["responseHeader"] is not null
                && answer.Json?["result"] is System.Text.Json.Nodes.JsonObject result
                && result.Count == 1
                && result[outcome] is System.Text.Json.Nodes.JsonObject,
            $"Expected HTTP 200 with result {{\"{outcome}\": {{}}}}, got {answer}.");

    private static IgnoreException NotNamed(string which) =>
        new($"Could not be checked: the accounts file names no {which} redirect (\"redirects\": {{\"{which}\": \"<redirectRequestId>\"}}).");
}
