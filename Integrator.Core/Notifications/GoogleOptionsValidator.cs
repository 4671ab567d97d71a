using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Notifications;

/// <summary>A dispatcher needs to know where Google is: an https URL outside Development, or the stand-in in it.</summary>
public sealed class GoogleOptionsValidator(
    IOptions<NotificationOptions> notifications, IHostEnvironment environment) : IValidateOptions<GoogleOptions>
{
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
            return notifications.Value.Enabled
                ? ValidateOptionsResult.Fail("Google:BaseUrl is required while Notifications:Enabled is true (e.g. https://vgw.googleapis.com/gsp).")
                : ValidateOptionsResult.Success;
        }

        var https = options.BaseUrl.IsAbsoluteUri && options.BaseUrl.Scheme == Uri.UriSchemeHttps;
        var allowedHttp = options.BaseUrl.IsAbsoluteUri && options.BaseUrl.Scheme == Uri.UriSchemeHttp && environment.IsDevelopment();
        return https || allowedHttp
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Google:BaseUrl '{options.BaseUrl}' must be an absolute https URL (http only in Development).");
    }
}
