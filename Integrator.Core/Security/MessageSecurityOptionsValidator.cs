using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Security;

/// <summary>
/// Plaintext only in Development and with a second switch (endpoints on loopback are checked by the host); PGP needs at
/// least one key of ours and one of Google's.
/// </summary>
public sealed class MessageSecurityOptionsValidator(IHostEnvironment environment) : IValidateOptions<MessageSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, MessageSecurityOptions options)
    {
        if (options.Mode == MessageSecurityMode.None)
        {
            return !environment.IsDevelopment()
                ? ValidateOptionsResult.Fail($"MessageSecurity:Mode=None is allowed only in the Development environment (this is {environment.EnvironmentName}).")
                : !options.AllowPlaintext
                    ? ValidateOptionsResult.Fail("MessageSecurity:Mode=None also needs MessageSecurity:AllowPlaintext=true (Development on loopback only).")
                    : ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.Pgp.PrivateKeyFiles.Count == 0)
        {
            failures.Add("MessageSecurity:Pgp:PrivateKeyFiles must name at least one armored secret key file.");
        }

        if (options.Pgp.GooglePublicKeyFiles.Count == 0)
        {
            failures.Add("MessageSecurity:Pgp:GooglePublicKeyFiles must name at least one armored public key file of Google's.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
