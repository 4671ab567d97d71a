using Microsoft.Extensions.Options;

namespace Integrator.Core.Notifications;

/// <summary>A dispatcher needs to know where Google is.</summary>
public sealed class GoogleOptionsValidator(IOptions<NotificationOptions> notifications) : IValidateOptions<GoogleOptions>
{
    public ValidateOptionsResult Validate(string? name, GoogleOptions options)
    {
        if (options.BaseUrl is null)
        {
            return notifications.Value.Enabled
                ? ValidateOptionsResult.Fail("Google:BaseUrl is required while Notifications:Enabled is true (e.g. https://vgw.googleapis.com/gsp).")
                : ValidateOptionsResult.Success;
        }

        return options.BaseUrl.IsAbsoluteUri && options.BaseUrl.Scheme is "https" or "http"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Google:BaseUrl '{options.BaseUrl}' must be an absolute https URL.");
    }
}
