using Integrator.Core.Notifications;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Remittance;

/// <summary>
/// A claim on a statement must outlast one call to Google, or a slow call could be taken over mid-flight. (Where Google
/// is, is Composition/GoogleOptionsValidator's to check.)
/// </summary>
public sealed class RemittanceOptionsValidator(IOptions<NotificationOptions> notifications) : IValidateOptions<RemittanceOptions>
{
    public ValidateOptionsResult Validate(string? name, RemittanceOptions options) =>
        options.Lease < notifications.Value.HttpTimeout + TimeSpan.FromSeconds(1)
            ? ValidateOptionsResult.Fail("Remittance:Lease must exceed Notifications:HttpTimeout (the timeout of every call to Google) by at least a second.")
            : ValidateOptionsResult.Success;
}
