using Integrator.Core.GoogleApi;
using Integrator.Core.Notifications;
using Integrator.Core.Remittance;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Composition;

/// <summary>
/// The jobs that call Google (the notification dispatcher, the reconciliation job) need to know where it is: an https
/// URL, required outside Development while either runs. In Development it may be missing (a PGP start has no
/// stand-in): the jobs then record each call as failed ("Google:BaseUrl is not set") and the rows wait, which the
/// startup log says.
/// </summary>
public sealed class GoogleOptionsValidator(
    IOptions<NotificationOptions> notifications, IOptions<RemittanceOptions> remittance, IHostEnvironment environment)
    : IValidateOptions<GoogleOptions>
{
    /// <summary>Whether a job that calls Google runs here.</summary>
    public static bool CallsGoogle(NotificationOptions notifications, RemittanceOptions remittance) => notifications.Enabled || remittance.Enabled;

    public ValidateOptionsResult Validate(string? name, GoogleOptions options)
    {
        if (options.StandIn)
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("Google:StandIn is for the Development environment only; set Google:BaseUrl instead.");
        }

        if (options.BaseUrl is null)
        {
            return CallsGoogle(notifications.Value, remittance.Value) && !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail(
                    "Google:BaseUrl is required while Notifications:Enabled or Remittance:Enabled is true (e.g. https://vgw.googleapis.com/gsp).")
                : ValidateOptionsResult.Success;
        }

        var https = options.BaseUrl.IsAbsoluteUri && options.BaseUrl.Scheme == Uri.UriSchemeHttps;
        var allowedHttp = options.BaseUrl.IsAbsoluteUri && options.BaseUrl.Scheme == Uri.UriSchemeHttp && environment.IsDevelopment();
        return https || allowedHttp
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Google:BaseUrl '{options.BaseUrl}' must be an absolute https URL (http only in Development).");
    }
}
