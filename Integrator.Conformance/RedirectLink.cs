using System.Buffers.Text;
using System.Text;

namespace Integrator.Conformance;

/// <summary>
/// The link Google sends a customer's browser to: the target's redirect page with <c>redirectRequest</c> (base64url
/// of the request — sealed by Google's key to the target's in pgp mode) and <c>callbackUrl</c>.
/// </summary>
public static class RedirectLink
{
    public static int Print(string redirectRequestId, string redirectPath, string callbackUrl, long amountMicros, TextWriter output, TextWriter errors)
    {
        if (Target.Described(errors) is not { } target)
        {
            return 2;
        }

        if (!Uri.TryCreate(callbackUrl, UriKind.Absolute, out var callback) || amountMicros <= 0)
        {
            errors.WriteLine("gsp-conformance: --callback-url must be an absolute URL and --amount-micros positive.");
            return 2;
        }

        var json = Encoding.UTF8.GetBytes(Messages.RedirectRequest(redirectRequestId, amountMicros, target.Accounts.CurrencyCode).ToJsonString());
        var request = target.Pgp is { } pgp ? Encoding.ASCII.GetString(pgp.Seal(json)) : Base64Url.EncodeToString(json);
        var page = new Uri(target.BaseUrl, redirectPath);
        output.WriteLine($"{page}?redirectRequest={request}&callbackUrl={Uri.EscapeDataString(callback.ToString())}");
        output.WriteLine(redirectRequestId);
        return 0;
    }
}
