using System.Threading.RateLimiting;

namespace Integrator.Api.SupportConsole;

/// <summary>Sign-in attempts (POSTs) per client address: enough for a person, too few for guessing keys.</summary>
public static class ConsoleRateLimits
{
    public const string SignIn = "console-sign-in";

    public static IServiceCollection AddConsoleRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignIn, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "-",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("read"));
        });
}
