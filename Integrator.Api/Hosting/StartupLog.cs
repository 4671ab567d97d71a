using Integrator.Api.Support;
using Integrator.Core.Composition;
using Integrator.Core.GoogleApi;
using Integrator.Core.Ledger;
using Integrator.Core.Notifications;
using Integrator.Core.Remittance;
using Integrator.Core.Security;
using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>What an operator should hear once a server has started: settings that work but are unsafe or incomplete.</summary>
internal static partial class StartupLog
{
    public static void Notices(IServiceProvider services, IHostEnvironment environment, ILogger logger)
    {
        if (!environment.IsDevelopment() && services.GetRequiredService<IOptions<SupportOptions>>().Value.ApiKeys.Count == 0)
        {
            NoSupportKeys(logger);
        }

        var security = services.GetRequiredService<IOptions<MessageSecurityOptions>>().Value;
        var secrets = (security.Mode == MessageSecurityMode.Pgp ? security.Pgp.PrivateKeyFiles : [])
            .Append(services.GetRequiredService<IOptions<LedgerOptions>>().Value.SeedFile)
            .OfType<string>()
            .Where(f => f.Length > 0)
            .Select(f => Path.GetFullPath(f, environment.ContentRootPath));
        foreach (var file in secrets.Where(ReadableByOthers))
        {
            ReadableFile(logger, file);
        }

        if (!environment.IsDevelopment() && services.GetRequiredService<IOptions<SupportOptions>>().Value.DataProtectionCertificate is not { Length: > 0 })
        {
            UnencryptedConsoleKeys(logger);
        }

        if (services.GetRequiredService<IOptions<GoogleOptions>>().Value.BaseUrl is null
            && GoogleOptionsValidator.CallsGoogle(
                services.GetRequiredService<IOptions<NotificationOptions>>().Value, services.GetRequiredService<IOptions<RemittanceOptions>>().Value))
        {
            NoGoogle(logger);
        }
    }

    private static bool ReadableByOthers(string file) =>
        !OperatingSystem.IsWindows() && File.Exists(file)
        && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "No Support:ApiKeys are configured: the support API refuses everyone")]
    private static partial void NoSupportKeys(ILogger logger);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{File} is readable by other users than its owner; make it 0600 (chmod 600)")]
    private static partial void ReadableFile(ILogger logger, string file);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "The console's cookie keys are kept unencrypted (in a folder only this account may open); set Support:DataProtectionCertificate to encrypt them at rest")]
    private static partial void UnencryptedConsoleKeys(ILogger logger);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "No Google:BaseUrl (Development): notifications and remittance statements wait in the database, each attempt recorded as failed, until one is set")]
    private static partial void NoGoogle(ILogger logger);
}
