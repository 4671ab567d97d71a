using Integrator.Api.Security;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Support;

/// <summary>Failed support keys per client address (API header and console sign-in alike), <c>Support:FailedKeysPerMinute</c>.</summary>
public sealed class FailedKeyThrottle(IOptions<SupportOptions> options, TimeProvider time)
    : AddressThrottle(options.Value.FailedKeysPerMinute, time);
