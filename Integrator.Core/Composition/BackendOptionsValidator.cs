using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Integrator.Core.Backend;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Composition;

/// <summary>
/// The back end's settings that depend on the environment: a remote back end is reached over https (http only in
/// Development), the stand-in is for Development only, a client certificate must load, an event secret must be long
/// enough to be one. Each failure names the setting and what to do.
/// </summary>
public sealed class BackendOptionsValidator(IHostEnvironment environment) : IValidateOptions<BackendOptions>
{
    private const int MinSecretLength = 16;

    public ValidateOptionsResult Validate(string? name, BackendOptions options) => options.Provider switch
    {
        BackendProvider.Http => ValidateHttp(options),
        BackendProvider.Mollie => ValidateMollie(options.Mollie),
        _ => ValidateOptionsResult.Success,
    };

    private ValidateOptionsResult ValidateMollie(MollieBackendOptions mollie)
    {
        var failures = new List<string>();
        if (mollie.StandIn && !environment.IsDevelopment())
        {
            failures.Add("Backend:Mollie:StandIn is for the Development environment only; set Backend:Mollie:ApiKey.");
        }

        if (!mollie.StandIn && !(mollie.ApiKey?.StartsWith("test_", StringComparison.Ordinal) == true || mollie.ApiKey?.StartsWith("live_", StringComparison.Ordinal) == true))
        {
            failures.Add("Backend:Mollie:ApiKey is required with Backend:Provider=Mollie: a test_ or live_ key from Mollie's dashboard.");
        }

        if (!Secure(mollie.BaseUrl))
        {
            failures.Add($"Backend:Mollie:BaseUrl '{mollie.BaseUrl}' must be an absolute https URL (http only in Development).");
        }

        if (mollie.WebhookUrl is { } webhook && !Secure(webhook))
        {
            failures.Add($"Backend:Mollie:WebhookUrl '{webhook}' must be an absolute https URL Mollie can reach (http only in Development).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private bool Secure(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && environment.IsDevelopment()));

    private ValidateOptionsResult ValidateHttp(BackendOptions options)
    {
        var http = options.Http;
        var failures = new List<string>();
        if (http.StandIn && !environment.IsDevelopment())
        {
            failures.Add("Backend:Http:StandIn is for the Development environment only; set Backend:Http:BaseUrl to your core's contract.");
        }

        if (http.BaseUrl is null)
        {
            failures.Add("Backend:Http:BaseUrl is required with Backend:Provider=Http (e.g. https://core.bank.internal/gsp).");
        }
        else if (!Secure(http.BaseUrl))
        {
            failures.Add($"Backend:Http:BaseUrl '{http.BaseUrl}' must be an absolute https URL (http only in Development).");
        }

        if (http.EventSecret is { } secret && secret.Length < MinSecretLength)
        {
            failures.Add($"Backend:Http:EventSecret must be at least {MinSecretLength} characters.");
        }

        if (http.ClientCertificate is { } path)
        {
            try
            {
                using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, http.ClientCertificatePassword);
                if (!certificate.HasPrivateKey)
                {
                    failures.Add($"Backend:Http:ClientCertificate '{path}' has no private key.");
                }
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"Backend:Http:ClientCertificate '{path}' could not be loaded ({e.GetType().Name}); check the file and Backend:Http:ClientCertificatePassword.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
