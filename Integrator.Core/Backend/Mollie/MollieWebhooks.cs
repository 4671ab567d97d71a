using System.Text.RegularExpressions;
using Integrator.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Integrator.Core.Backend.Mollie;

/// <summary>
/// Mollie's webhook (<c>POST {Backend:Mollie:WebhookPath}</c>, form field <c>id=tr_…</c>): it says only that something
/// changed. It is never trusted for more: the payment's open commands become due now, and the resolver reads the payment
/// back from Mollie. An id Integrator does not know changes nothing (Mollie still gets its 200).
/// </summary>
public sealed partial class MollieWebhooks(Database database, CommandStore commands, TimeProvider time, ILogger<MollieWebhooks> logger)
{
    public const int MaxBodyBytes = 1024;

    /// <returns>False if <paramref name="paymentId"/> is not a Mollie payment id.</returns>
    public async Task<bool> ReceiveAsync(string? paymentId, CancellationToken ct)
    {
        if (paymentId is null || !PaymentId().IsMatch(paymentId))
        {
            return false;
        }

        var open = await commands.OpenOfReferenceAsync(paymentId, ct);
        foreach (var command in open)
        {
            await database.WriteAsync(async (tx, token) => Write.Commit(await commands.RetryNowAsync(tx, command.CommandId, time.GetUtcNow(), token)), ct);
        }

        LogReceived(logger, open.Count);
        return true;
    }

    [GeneratedRegex("^tr_[A-Za-z0-9]{1,60}$")]
    private static partial Regex PaymentId();

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Mollie webhook: {Count} open commands of its payment are checked now")]
    private static partial void LogReceived(ILogger logger, int count);
}
