namespace Integrator.Tests.Infrastructure;

/// <summary>The ledger every test server starts with: one account per reserveFunds outcome.</summary>
public static class TestLedger
{
    public const string SeedJson = """
        {
          "accounts": [
            { "accountId": "acct-rich", "currencyCode": "USD", "balanceMicros": "1000000000000", "status": "ACTIVE" },
            { "accountId": "acct-limited", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "ACTIVE", "transactionLimitMicros": "100000000" },
            { "accountId": "acct-poor", "currencyCode": "USD", "balanceMicros": "5000000", "status": "ACTIVE" },
            { "accountId": "acct-on-hold", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "ON_HOLD" },
            { "accountId": "acct-closed", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "CLOSED" },
            { "accountId": "acct-inr", "currencyCode": "INR", "balanceMicros": "1000000000000", "status": "ACTIVE" }
          ],
          "paymentTokens": [
            { "googlePaymentToken": "tok-rich", "accountId": "acct-rich" },
            { "googlePaymentToken": "tok-limited", "accountId": "acct-limited" },
            { "googlePaymentToken": "tok-poor", "accountId": "acct-poor" },
            { "googlePaymentToken": "tok-on-hold", "accountId": "acct-on-hold" },
            { "googlePaymentToken": "tok-closed", "accountId": "acct-closed" },
            { "googlePaymentToken": "tok-inr", "accountId": "acct-inr" }
          ]
        }
        """;
}
