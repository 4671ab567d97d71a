namespace Integrator.Tests.Infrastructure;

/// <summary>
/// The ledger every test server starts with: one account per reserveFunds outcome, and customers for the redirect
/// page (Ada holds the USD accounts that can pay, one that cannot and one over its limit; Bob the on-hold and closed
/// ones; Eve nothing, the one to lock out). Each account names its card at Mollie too (FakeMollie holds the cards).
/// </summary>
public static class TestLedger
{
    public const string Customer = "cust-ada";
    public const string Passcode = "ada-passcode-7431";
    public const string OtherCustomer = "cust-bob";
    public const string OtherPasscode = "bob-passcode-2207";
    public const string LockoutCustomer = "cust-eve";

    public const string SeedJson = """
        {
          "accounts": [
            { "accountId": "acct-rich", "currencyCode": "USD", "balanceMicros": "1000000000000", "status": "ACTIVE", "customerId": "cust-ada", "mollie": { "customerId": "cst_ada", "mandateId": "mdt_rich" } },
            { "accountId": "acct-limited", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "ACTIVE", "transactionLimitMicros": "100000000", "customerId": "cust-ada", "mollie": { "customerId": "cst_ada", "mandateId": "mdt_limited" } },
            { "accountId": "acct-poor", "currencyCode": "USD", "balanceMicros": "5000000", "status": "ACTIVE", "customerId": "cust-ada", "mollie": { "customerId": "cst_ada", "mandateId": "mdt_poor" } },
            { "accountId": "acct-on-hold", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "ON_HOLD", "customerId": "cust-bob", "mollie": { "customerId": "cst_bob", "mandateId": "mdt_onhold" } },
            { "accountId": "acct-closed", "currencyCode": "USD", "balanceMicros": "1000000000", "status": "CLOSED", "customerId": "cust-bob", "mollie": { "customerId": "cst_bob", "mandateId": "mdt_closed" } },
            { "accountId": "acct-inr", "currencyCode": "INR", "balanceMicros": "1000000000000", "status": "ACTIVE", "customerId": "cust-ada", "mollie": { "customerId": "cst_ada", "mandateId": "mdt_inr" } },
            { "accountId": "acct-jpy", "currencyCode": "JPY", "balanceMicros": "1000000000000", "status": "ACTIVE", "mollie": { "customerId": "cst_ada", "mandateId": "mdt_jpy" } }
          ],
          "customers": [
            { "customerId": "cust-ada", "name": "Ada Lovelace", "passcode": "ada-passcode-7431" },
            { "customerId": "cust-bob", "name": "Bob Babbage", "passcode": "bob-passcode-2207" },
            { "customerId": "cust-eve", "name": "Eve Example", "passcode": "eve-passcode-5150" }
          ],
          "paymentTokens": [
            { "googlePaymentToken": "tok-rich", "accountId": "acct-rich" },
            { "googlePaymentToken": "tok-limited", "accountId": "acct-limited" },
            { "googlePaymentToken": "tok-poor", "accountId": "acct-poor" },
            { "googlePaymentToken": "tok-on-hold", "accountId": "acct-on-hold" },
            { "googlePaymentToken": "tok-closed", "accountId": "acct-closed" },
            { "googlePaymentToken": "tok-inr", "accountId": "acct-inr" },
            { "googlePaymentToken": "tok-jpy", "accountId": "acct-jpy" }
          ]
        }
        """;
}
