using Integrator.Core.Gsp;

namespace Integrator.Core.Backend;

/// <summary>The Idempotency-Keys of back-end commands, fixed before a command is first sent.</summary>
public static class Keys
{
    /// <summary>A command a Google call caused: <c>{paymentIntegratorAccountId}:{requestId}</c>.</summary>
    public static string Of(IdempotencyKey call) => $"{call.AccountId}:{call.RequestId}";

    /// <summary>A release Integrator decided itself (expiry, support), once per reservation.</summary>
    public static string ReleaseOf(string reservationId) => $"release:{reservationId}";
}
