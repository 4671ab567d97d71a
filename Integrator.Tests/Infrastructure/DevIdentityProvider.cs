using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider on loopback: tools/dev-identity-provider (panva's certified oidc-provider under Node),
/// its clients registered for one Integrator at <c>integratorUrl</c>, with its test hook on (an ID token for another
/// client, on request). Its issuer is <c>http://localhost:PORT</c> while the server under test is at 127.0.0.1: another
/// site, as a real provider is, so the browser treats the round trip's cookies as it would in production.
/// </summary>
public sealed class DevIdentityProvider : IAsyncDisposable
{
    public const string ConsoleClientId = "integrator-console";
    public const string ConsoleClientSecret = "dev-console-secret-not-for-production";
    public const string CustomersClientId = "integrator-customers";
    public const string CustomersClientSecret = "dev-customers-secret-not-for-production";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DevIdentityProvider(Process process, int port)
    {
        _process = process;
        Issuer = $"http://localhost:{port}";
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Issuer { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<DevIdentityProvider> StartAsync(string integratorUrl)
    {
        var folder = Path.Combine(ServerRun.Repository, "tools", "dev-identity-provider");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
        {
            // .ci/run installs it; a developer's first run does it here (npm, from the lock file).
            Run("npm", ["ci", "--no-audit", "--no-fund", "--prefix", folder]);
        }

        var port = FakeGoogle.FreePort();
        var start = new ProcessStartInfo("node", [Path.Combine(folder, "provider.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["INTEGRATOR_URL"] = integratorUrl;
        start.Environment["TEST_HOOKS"] = "1";
        var provider = new DevIdentityProvider(Process.Start(start)!, port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (provider._process.HasExited)
            {
                break;
            }

            try
            {
                using var discovery = await http.GetAsync($"{provider.Issuer}/.well-known/openid-configuration");
                if (discovery.IsSuccessStatusCode)
                {
                    return provider;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        var output = provider.Output;
        await provider.DisposeAsync();
        throw new InvalidOperationException($"The dev identity provider did not start:\n{output}");
    }

    /// <summary>The next token response carries an ID token issued to another client (signed with the provider's key).</summary>
    public async Task IssueNextIdTokenToAnotherClientAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Issuer}/test/next-id-token-audience?aud=another-client", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Stands in the middle of <paramref name="page"/>'s round trips, as an attacker would: the provider's redirects are
    /// followed here (a browser's route does not see the requests a redirect makes) and its last one, back to a relying
    /// party's callback, goes to <paramref name="change"/>, which returns where the browser goes instead, or null to hold
    /// the browser on a page of its own.
    /// </summary>
    public Task InterceptCallbacksAsync(IPage page, Func<string, string?> change) =>
        page.RouteAsync(new Regex($"^{Regex.Escape(Issuer)}/"), async route =>
        {
            var response = await route.FetchAsync(new() { MaxRedirects = 0 });
            for (var hop = 0; hop < 5 && response.Headers.TryGetValue("location", out var next) && next.StartsWith(Issuer, StringComparison.Ordinal); hop++)
            {
                response = await page.Context.APIRequest.GetAsync(next, new() { MaxRedirects = 0 });
            }

            var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value);
            if (headers.TryGetValue("location", out var callback) && callback.Contains("/signin-oidc?", StringComparison.Ordinal))
            {
                if (change(callback) is not { } instead)
                {
                    await route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!DOCTYPE html><title>held</title><p>held in the middle</p>" });
                    return;
                }

                headers["location"] = instead;
            }

            await route.FulfillAsync(new() { Response = response, Headers = headers });
        });

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Run(string command, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { UseShellExecute = false })!;
        if (!process.WaitForExit(180_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
