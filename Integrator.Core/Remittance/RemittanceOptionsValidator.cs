using Integrator.Core.Notifications;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Remittance;

/// <summary>
/// The job needs to know where Google is, and a claim on a statement must outlast one call to Google, or a slow call
/// could be taken over mid-flight.
/// </summary>
public sealed class RemittanceOptionsValidator(IOptions<NotificationOptions> notifications, IOptions<GoogleOptions> google)
    : IValidateOptions<RemittanceOptions>
{
    public ValidateOptionsResult Validate(string? name, RemittanceOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled && google.Value.BaseUrl is null)
        {
            failures.Add("Google:BaseUrl is required while Remittance:Enabled is true (e.g. https://vgw.googleapis.com/gsp).");
        }

        if (options.Lease < notifications.Value.HttpTimeout + TimeSpan.FromSeconds(1))
        {
            failures.Add("Remittance:Lease must exceed Notifications:HttpTimeout (the timeout of every call to Google) by at least a second.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
