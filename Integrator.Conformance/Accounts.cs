using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrator.Conformance;

/// <summary>The test accounts file: a payment token per behaviour the checks need, and the amounts that trigger it.</summary>
public sealed record Accounts(
    string CurrencyCode, TestAccount Funded, TestAccount InsufficientFunds, TestAccount Closed, TestAccount OnHold, TestAccount OverLimit)
{
    public static Accounts Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidOperationException($"{path} is empty.");
        TestAccount Account(string role) => new(
            json[role]?["googlePaymentToken"]?.GetValue<string>() ?? throw new InvalidOperationException($"{path}: {role}.googlePaymentToken is required."),
            json[role]?["amountMicros"] is { } amount ? long.Parse(amount.ToString(), CultureInfo.InvariantCulture) : 1_000_000);
        return new Accounts(
            json["currencyCode"]?.GetValue<string>() ?? "USD",
            Account("funded"), Account("insufficientFunds"), Account("closed"), Account("onHold"), Account("overLimit"));
    }
}
