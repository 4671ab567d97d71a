using System.Text.RegularExpressions;
using Integrator.Api.Support;

namespace Integrator.Api.Hosting;

/// <summary>
/// <c>Support:Urls</c>: the support API and console answer only on their own addresses, and Google's routes never do.
/// Kestrel listens on both sets (<see cref="AddTo"/>); each request is judged by the local port it arrived on.
/// </summary>
internal static partial class SupportEndpoints
{
    public static void AddTo(ConfigurationManager configuration)
    {
        var support = configuration[$"{SupportOptions.Section}:Urls"];
        if (!string.IsNullOrWhiteSpace(support))
        {
            configuration["urls"] = string.Join(';', ListenAddresses.From(configuration).Append(support));
        }
    }

    public static IApplicationBuilder UseSupportEndpoints(this IApplicationBuilder app, IConfiguration configuration)
    {
        var ports = (configuration[$"{SupportOptions.Section}:Urls"] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => Port().Match(url))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        if (ports.Count == 0)
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            var supportPath = context.Request.Path.StartsWithSegments("/support") || context.Request.Path.StartsWithSegments("/console");
            if (supportPath != ports.Contains(context.Connection.LocalPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next();
        });
    }

    [GeneratedRegex(@":(\d+)/?$")]
    private static partial Regex Port();
}
