using System.CommandLine;
using System.Globalization;

namespace Integrator.Conformance;

/// <summary>
/// <c>gsp-conformance</c>, the kit as a .NET tool: plain options become the kit's <c>CONFORMANCE_*</c> variables
/// (an option wins over a variable already set, so the environment form keeps working) and the same NUnit checks run
/// in this process (<see cref="InProcessRun"/>). Exit code 0 when every rule that applies passes, 1 when one fails,
/// 2 when the options cannot describe a target.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var parse = Command().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return parse.Invoke();
        }

        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine($"gsp-conformance: {error.Message}");
        }

        Console.Error.WriteLine("Run gsp-conformance --help for the options.");
        return 2;
    }

    public static RootCommand Command()
    {
        var baseUrl = new Option<string?>("--base-url")
        {
            HelpName = "url", Description = "The endpoint under test, e.g. https://integrator.staging.example; a path in it (https://host/gsp) is the prefix of its Google-facing routes",
        };
        var basePath = new Option<string?>("--base-path") { HelpName = "path", Description = "Prefix of its Google-facing routes (Gsp:BasePath), e.g. /gsp; default none" };
        var piaids = new Option<string[]>("--piaid")
        {
            HelpName = "id", Description = "A paymentIntegratorAccountId it serves; repeat for more (the first is used throughout, a second enables the key-scope rule)",
            AllowMultipleArgumentsPerToken = false,
        };
        var security = new Option<string?>("--security") { Description = "pgp (default: Google's sealed messages) or plaintext (a Development server)" };
        security.AcceptOnlyFromAmong("pgp", "plaintext");
        var targetKey = new Option<FileInfo?>("--target-public-key") { HelpName = "file", Description = "pgp: the target's armored public key (what it gives Google in the key exchange)" };
        var googleKey = new Option<FileInfo?>("--google-secret-key") { HelpName = "file", Description = "pgp: the armored secret key the target trusts as Google's (a test pair of your own: the kit signs and decrypts with it)" };
        var passphrase = new Option<string?>("--google-passphrase")
        {
            HelpName = "passphrase", Description = "pgp: that key's passphrase (better: $CONFORMANCE_GOOGLE_PASSPHRASE, kept out of the shell history and the process list)",
        };
        var accounts = new Option<FileInfo?>("--accounts") { HelpName = "file", Description = "The accounts file: a payment token per behaviour, and redirects the target knows (default: the example file, tokens of Integrator's Development seed)" };
        var notificationPort = new Option<int?>("--notification-port") { HelpName = "port", Description = "Listen as Google on http://127.0.0.1:PORT/gsp/ (point the target's Google base URL there) to check notifications; without it that rule is skipped" };
        var lifetime = new Option<string?>("--reservation-lifetime") { HelpName = "time", Description = "The target's reservation lifetime when at most a minute (e.g. 00:00:03): enables the rule on expired reservations" };
        var wait = new Option<string?>("--notification-wait") { HelpName = "time", Description = "How long to wait for a notification (default 00:00:30)" };
        var reportDir = new Option<DirectoryInfo>("--report-dir")
        {
            HelpName = "folder", Description = "Where conformance.txt, conformance.junit.xml and conformance.html go",
            DefaultValueFactory = _ => new DirectoryInfo(Environment.GetEnvironmentVariable(Target.Prefix + "REPORT_DIR") is { Length: > 0 } folder ? folder : "conformance-report"),
        };

        Option[] describeTheTarget = [baseUrl, basePath, piaids, security, targetKey, googleKey, passphrase, accounts];
        foreach (var option in describeTheTarget)
        {
            option.Recursive = true;
        }

        var command = new RootCommand(
            "Checks a Google Standard Payments redirect-payment-token-v1 endpoint against Google's rules, as Google's client would: " +
            "idempotency, request and message-security checks, funds, refunds, remittance statements, redirect status and notifications. " +
            "Every option may also come from its CONFORMANCE_* variable (README \"Conformance kit\"). Exit code: 0 every applicable rule passed, 1 a rule failed, 2 bad options.")
        {
            baseUrl, basePath, piaids, security, targetKey, googleKey, passphrase, accounts, notificationPort, lifetime, wait, reportDir,
        };
        void DescribeTheTarget(ParseResult parse)
        {
            Set("BASE_URL", parse.GetValue(baseUrl));
            Set("BASE_PATH", parse.GetValue(basePath));
            Set("PIAIDS", parse.GetValue(piaids) is { Length: > 0 } ids ? string.Join(',', ids) : null);
            Set("SECURITY", parse.GetValue(security));
            Set("TARGET_PUBLIC_KEY", parse.GetValue(targetKey)?.FullName);
            Set("GOOGLE_SECRET_KEY", parse.GetValue(googleKey)?.FullName);
            Set("GOOGLE_PASSPHRASE", parse.GetValue(passphrase));
            Set("ACCOUNTS", parse.GetValue(accounts)?.FullName);
        }

        command.Subcommands.Add(RedirectLinkCommand(DescribeTheTarget));
        command.SetAction(parse =>
        {
            DescribeTheTarget(parse);
            Set("NOTIFICATION_PORT", parse.GetValue(notificationPort)?.ToString(CultureInfo.InvariantCulture));
            Set("RESERVATION_LIFETIME", parse.GetValue(lifetime));
            Set("NOTIFICATION_WAIT", parse.GetValue(wait));
            Set("REPORT_DIR", parse.GetValue(reportDir)!.FullName);
            return InProcessRun.Execute(Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>
    /// <c>gsp-conformance redirect-link</c>: the link Google would send a customer's browser to, sealed as Google seals
    /// it, to make the redirects the accounts file names (open it, leave one pending, approve another).
    /// </summary>
    private static Command RedirectLinkCommand(Action<ParseResult> describeTheTarget)
    {
        var id = new Option<string?>("--redirect-request-id") { HelpName = "id", Description = "The redirectRequestId (default: a fresh kit-redirect-… id, printed on the second line)" };
        var path = new Option<string>("--redirect-path")
        {
            HelpName = "path", Description = "The target's redirect page (Redirect:Path)", DefaultValueFactory = _ => "/redirect-payment-token-v1/redirect",
        };
        var callback = new Option<string>("--callback-url")
        {
            HelpName = "url", Description = "Where the page sends the browser back (a host the target allows)", DefaultValueFactory = _ => "https://pay.google.com/conformance-kit/callback",
        };
        var amount = new Option<long>("--amount-micros") { HelpName = "micros", Description = "transactionAmount, in micros", DefaultValueFactory = _ => 5_000_000 };
        var command = new Command(
            "redirect-link",
            "Prints the link Google would send a customer to (a GeneratePaymentTokenRedirectRequest, sealed as Google seals it in pgp mode) and its redirectRequestId: " +
            "open it to make the pending and approved redirects the accounts file names.")
        {
            id, path, callback, amount,
        };
        command.SetAction(parse =>
        {
            describeTheTarget(parse);
            return RedirectLink.Print(
                parse.GetValue(id) ?? Messages.NewId("kit-redirect"), parse.GetValue(path)!, parse.GetValue(callback)!, parse.GetValue(amount), Console.Out, Console.Error);
        });
        return command;
    }

    private static void Set(string name, string? value)
    {
        if (value is not null)
        {
            Environment.SetEnvironmentVariable(Target.Prefix + name, value);
        }
    }
}
