using Google.Protobuf.WellKnownTypes;
using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp;

/// <summary>
/// The result of a redirect as stored (its JSON member name: <c>success</c>, <c>pending</c>, <c>insufficientFunds</c>…)
/// and as sent in <c>GeneratePaymentTokenRedirectResult</c>: one mapping, used by the browser hand-back, the status method
/// and the complete notification.
/// </summary>
public static class RedirectResults
{
    public const string Pending = "pending";
    public const string Success = "success";
    public const string InsufficientFunds = "insufficientFunds";
    public const string ChargeExceedsTransactionLimit = "chargeExceedsTransactionLimit";
    public const string AccountClosed = "accountClosed";
    public const string AccountOnHold = "accountOnHold";
    public const string AccountDoesNotSupportCurrency = "accountDoesNotSupportCurrency";
    public const string UserExitedPaymentFlow = "userExitedPaymentFlow";
    public const string RiskDeclined = "riskDeclined";

    public static GeneratePaymentTokenRedirectResult ToMessage(string result)
    {
        var message = new GeneratePaymentTokenRedirectResult();
        var empty = new Empty();
        switch (result)
        {
            case Pending: message.Pending = empty; break;
            case Success: message.Success = empty; break;
            case InsufficientFunds: message.InsufficientFunds = empty; break;
            case ChargeExceedsTransactionLimit: message.ChargeExceedsTransactionLimit = empty; break;
            case AccountClosed: message.AccountClosed = empty; break;
            case AccountOnHold: message.AccountOnHold = empty; break;
            case AccountDoesNotSupportCurrency: message.AccountDoesNotSupportCurrency = empty; break;
            case UserExitedPaymentFlow: message.UserExitedPaymentFlow = empty; break;
            case RiskDeclined: message.RiskDeclined = empty; break;
            default: throw new ArgumentOutOfRangeException(nameof(result), result, "not a redirect result");
        }

        return message;
    }
}
