using Microsoft.Extensions.Options;

namespace Integrator.Api.Hosting;

/// <summary>
/// Turns what stopped startup into one line per problem for stderr: the setting or file and what is wrong, never a
/// stack trace (an operator fixes configuration; a stack trace is for us, and may quote what it was parsing).
/// </summary>
internal static class StartupErrors
{
    public static IEnumerable<string> Lines(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Lines).Distinct(),
        OptionsValidationException validation => validation.Failures.SelectMany(f => f.Split("; ", StringSplitOptions.RemoveEmptyEntries)),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Lines(inner),
        InvalidOperationException or IOException or UnauthorizedAccessException or PlatformNotSupportedException => [exception.Message],
        _ => [$"{exception.GetType().Name}: {exception.Message}"],
    };

    /// <summary>Writes the lines to stderr, prefixed, and returns the exit code for a configuration problem.</summary>
    public static int Report(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Console.Error.WriteLine($"integrator: {line.ReplaceLineEndings(" ")}");
        }

        Console.Error.WriteLine("integrator: not started. `dotnet Integrator.Api.dll --help` lists the settings; README \"Configuration\" explains them.");
        return ExitCode;
    }

    public const int ExitCode = 2;
}
