using Integrator.Api.Security;
using Integrator.Core.Redirect;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Redirect;

/// <summary>Failed customer sign-ins per client address, <c>Redirect:FailedSignInsPerMinute</c> (any customer id).</summary>
public sealed class SignInThrottle(IOptions<RedirectOptions> options, TimeProvider time)
    : AddressThrottle(options.Value.FailedSignInsPerMinute, time);
