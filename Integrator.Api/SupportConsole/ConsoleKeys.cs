using System.Security.Cryptography.X509Certificates;
using Integrator.Api.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Integrator.Api.SupportConsole;

/// <summary>
/// The Data Protection keys that protect console and redirect cookies: in <c>Support:DataProtectionKeysFolder</c>
/// (shared by every instance), a folder only the service account may open (0700). With
/// <c>Support:DataProtectionCertificate</c> (a PFX file) each key is encrypted with that certificate at rest; without it
/// the keys are plain XML in the folder, which the startup log says outside Development.
/// </summary>
public static class ConsoleKeys
{
    public static IServiceCollection AddConsoleKeys(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var support = configuration.GetSection(SupportOptions.Section);
        var folder = support[nameof(SupportOptions.DataProtectionKeysFolder)] is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.ContentRootPath, "data", "console-keys");
        var directory = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(folder)
            : Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var protection = services.AddDataProtection().SetApplicationName("Integrator").PersistKeysToFileSystem(directory);
        if (support[nameof(SupportOptions.DataProtectionCertificate)] is { Length: > 0 } certificate)
        {
            protection.ProtectKeysWithCertificate(
                X509CertificateLoader.LoadPkcs12FromFile(certificate, support[nameof(SupportOptions.DataProtectionCertificatePassword)]));
        }
        else
        {
            // Said once at startup, by us, with the fix (StartupLog), instead of a framework warning at each new key.
            services.Configure<KeyManagementOptions>(keys => keys.XmlEncryptor = new NullXmlEncryptor());
        }

        return services;
    }
}
