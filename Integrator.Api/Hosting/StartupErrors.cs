using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>
/// Turns what stopped startup into one line per problem for stderr: the setting or file and what is wrong, never a
/// stack trace (an operator fixes configuration; a stack trace is for us, and may quote what it was parsing).
/// </summary>
internal static partial class StartupErrors
{
    public static IEnumerable<string> Lines(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Lines).Distinct(),
        OptionsValidationException validation => validation.Failures
            .SelectMany(f => f.Split("; ", StringSplitOptions.RemoveEmptyEntries))
            .Where(f => !RangeFailure().IsMatch(f)) // reported with the key and the value as read (IntegratorSettings)
            .Select(Unwrapped),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Lines(inner),
        InvalidOperationException or IOException or UnauthorizedAccessException or PlatformNotSupportedException => [exception.Message],
        _ => [$"{exception.GetType().Name}: {exception.Message}"],
    };

    /// <summary>Data-annotation failures wrap our message in the options type and member names; the message says it all.</summary>
    private static string Unwrapped(string failure) =>
        DataAnnotationFailure().Match(failure) is { Success: true } match ? match.Groups["message"].Value : failure;

    [System.Text.RegularExpressions.GeneratedRegex("^DataAnnotation validation failed for '[^']+' members: '[^']*' with the error: '(?<message>.*)'\\.$")]
    private static partial System.Text.RegularExpressions.Regex DataAnnotationFailure();

    [System.Text.RegularExpressions.GeneratedRegex("with the error: 'The field \\w+ must be between ")]
    private static partial System.Text.RegularExpressions.Regex RangeFailure();

    /// <summary>
    /// Writes the lines to stderr, prefixed, and returns the exit code for a configuration problem.
    /// <c>INTEGRATOR_STARTUP_TRACE=1</c> adds the whole exception, for whoever debugs Integrator itself.
    /// </summary>
    public static int Report(Exception exception)
    {
        if (Environment.GetEnvironmentVariable("INTEGRATOR_STARTUP_TRACE") == "1")
        {
            Console.Error.WriteLine(exception);
        }

        var lines = Lines(exception);
        foreach (var line in lines)
        {
            Console.Error.WriteLine($"integrator: {line.ReplaceLineEndings(" ")}");
        }

        Console.Error.WriteLine("integrator: not started. `dotnet Integrator.Api.dll --help` lists the settings; README \"Configuration\" explains them.");
        return ExitCode;
    }

    public const int ExitCode = 2;
}
