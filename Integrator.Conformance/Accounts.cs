using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>
/// The test accounts file: a payment token per behaviour the checks need, the amounts that trigger it, and optionally
/// redirects the target knows (a redirectRequestId still pending, one that ended in success) for
/// getGeneratePaymentTokenRedirectStatus.
/// </summary>
public sealed record Accounts(
    string CurrencyCode, TestAccount Funded, TestAccount InsufficientFunds, TestAccount Closed, TestAccount OnHold, TestAccount OverLimit)
{
    public string? PendingRedirect { get; init; }

    public string? SuccessfulRedirect { get; init; }

    /// <summary>
    /// Every value of the file a report must not show — tokens pay, and a redirectRequestId may be a token — with the
    /// shell variable that stands for it in the report and in its curl reproductions.
    /// </summary>
    public IReadOnlyList<(string Value, string Variable)> Secrets =>
    [
        .. new (string? Value, string Variable)[]
            {
                (Funded.GooglePaymentToken, "FUNDED_TOKEN"),
                (InsufficientFunds.GooglePaymentToken, "INSUFFICIENT_FUNDS_TOKEN"),
                (Closed.GooglePaymentToken, "CLOSED_TOKEN"),
                (OnHold.GooglePaymentToken, "ON_HOLD_TOKEN"),
                (OverLimit.GooglePaymentToken, "OVER_LIMIT_TOKEN"),
                (PendingRedirect, "PENDING_REDIRECT_ID"),
                (SuccessfulRedirect, "SUCCESS_REDIRECT_ID"),
            }
            .Where(s => !string.IsNullOrEmpty(s.Value))
            .Select(s => (s.Value!, s.Variable))
            .OrderByDescending(s => s.Item1.Length),
    ];

    public static Accounts Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidOperationException($"{path} is empty.");
        TestAccount Account(string role) => new(
            json[role]?["googlePaymentToken"]?.GetValue<string>() ?? throw new InvalidOperationException($"{path}: {role}.googlePaymentToken is required."),
            json[role]?["amountMicros"] is { } amount ? long.Parse(amount.ToString(), CultureInfo.InvariantCulture) : 1_000_000);
        return new Accounts(
            json["currencyCode"]?.GetValue<string>() ?? "USD",
            Account("funded"), Account("insufficientFunds"), Account("closed"), Account("onHold"), Account("overLimit"))
        {
            PendingRedirect = json["redirects"]?["pending"]?.GetValue<string>(),
            SuccessfulRedirect = json["redirects"]?["success"]?.GetValue<string>(),
        };
    }
}
