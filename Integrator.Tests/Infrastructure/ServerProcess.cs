using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Integrator.Core.Security;
using Integrator.Core.Storage;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// A real Integrator server process (`dotnet Integrator.Api.dll`, Kestrel on 127.0.0.1), configured by environment
/// variables as an operator would, in the Development environment with plaintext bodies.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

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

    /// <summary>
    /// The environment of a server on <paramref name="database"/> (a SQLite file in <paramref name="folder"/> when
    /// null), serving the test ledger (written to the folder) under the test paymentIntegratorAccountId;
    /// <paramref name="settings"/> add to it.
    /// </summary>
    public static Dictionary<string, string?> Environment(string folder, IReadOnlyDictionary<string, string?> settings, TestDatabase? database = null)
    {
        var seed = Path.Combine(folder, "seed.json");
        File.WriteAllText(seed, TestLedger.SeedJson);
        var environment = new Dictionary<string, string?>
        {
            ["Storage__Provider"] = (database?.Provider ?? StorageProvider.Sqlite).ToString(),
            ["Storage__ConnectionString"] = database?.ConnectionString ?? $"Data Source={Path.Combine(folder, "integrator.db")}",
            ["Ledger__SeedFile"] = seed,
            ["Gsp__PaymentIntegratorAccountIds__0"] = GspMessages.AccountId,
            ["Ledger__PasscodeHashIterations"] = "1000",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> environment, int? port = null)
    {
        port ??= FakeGoogle.FreePort();
        var folder = TestContext.CurrentContext.TestDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Integrator.Api.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var server = new ServerProcess(Process.Start(start)!, port.Value);
        await server.WaitUntilReadyAsync();
        return server;
    }

    public async Task<GspResult> PostAsync(string method, JsonNode body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Client.PostAsync($"/redirect-payment-token-v1/{method}", content);
        return new GspResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>A request sealed by <paramref name="google"/> (Google's side in PGP mode); a sealed answer is opened.</summary>
    public async Task<GspResult> PostAsync(string method, JsonNode body, IMessageCodec google)
    {
        using var content = new ByteArrayContent(google.Seal(Encoding.UTF8.GetBytes(body.ToJsonString())));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(google.ContentType);
        using var response = await Client.PostAsync($"/redirect-payment-token-v1/{method}", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var type = response.Content.Headers.ContentType?.ToString();
        var opened = MediaTypes.Is(type, MediaTypes.OctetStream) ? google.Open(bytes, type) : OpenedMessage.Success(bytes);
        var raw = opened.Json is { } json ? Encoding.UTF8.GetString(json) : $"<answer could not be opened: {opened.Error!.CodeName}>";
        return new GspResult((int)response.StatusCode, raw, type) { Body = bytes };
    }

    /// <summary>SIGKILL: the process dies where it stands, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var ready = await Client.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The server did not become ready:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        CapturedLogs.WholeRun.Enqueue(line);
    }
}
