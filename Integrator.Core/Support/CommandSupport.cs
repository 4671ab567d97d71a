using Integrator.Core.Backend;
using Integrator.Core.Storage;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Support;

/// <summary>A back-end command as support sees it: what it moves, where it stands, and every attempt.</summary>
public sealed record CommandView(
    string CommandId,
    string Kind,
    string CommandKey,
    string HoldId,
    string State,
    MoneyView Amount,
    string AccountId,
    string? Outcome,
    string? Reference,
    long AttemptCount,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? ResolvedAt,
    IReadOnlyList<CommandAttempt> Attempts)
{
    public required string PaymentIntegratorAccountId { get; init; }

    /// <summary>The reservation it belongs to (its hold is the key of that reserveFunds call).</summary>
    public required string ReserveFundsRequestId { get; init; }
}

/// <summary>
/// Back-end commands for support (README "Account back ends"): per reservation with their attempts, the ones unconfirmed for longer
/// than <c>Backend:StuckAfter</c>, and an Operator's "retry now" (audited): an open command is sent (or checked) at once,
/// a failed release is opened again.
/// </summary>
public sealed class CommandSupport(Database database, CommandStore commands, SupportAudit audit, IOptions<BackendOptions> options, TimeProvider time)
{
    private const int StuckShown = 50;

    public async Task<IReadOnlyList<CommandView>> OfReservationAsync(string reservationId, CancellationToken ct)
    {
        var views = new List<CommandView>();
        foreach (var command in await commands.OfReservationAsync(reservationId, ct))
        {
            views.Add(View(command, await commands.AttemptsAsync(command.CommandId, ct)));
        }

        return views;
    }

    /// <summary>Open commands older than <c>Backend:StuckAfter</c>, oldest first (without their attempts).</summary>
    public async Task<IReadOnlyList<CommandView>> StuckAsync(CancellationToken ct) =>
        [.. (await commands.StuckAsync(time.GetUtcNow() - options.Value.StuckAfter, StuckShown, ct)).Select(c => View(c, []))];

    public async Task<Result<CommandView, SupportError>> GetAsync(string commandId, CancellationToken ct) =>
        await commands.FindAsync(commandId, ct) is { } command
            ? View(command, await commands.AttemptsAsync(commandId, ct))
            : NotFound(commandId);

    /// <summary>Sends an open command now (a failed release: opens it again); refused for a command that has ended.</summary>
    public async Task<Result<CommandView, SupportError>> RetryAsync(string commandId, SupportActor actor, string? reason, CancellationToken ct)
    {
        if (Reasons.Check(reason, required: true) is { } invalid)
        {
            return invalid;
        }

        var target = $"back-end command {commandId}";
        var refused = await database.WriteAsync(
            async (tx, token) =>
            {
                if (await commands.FindAsync(tx, commandId, token) is not { } command)
                {
                    return Write.RollBack<SupportError?>(NotFound(commandId));
                }

                var retried = await commands.RetryNowAsync(tx, commandId, time.GetUtcNow(), token);
                await audit.RecordAsync(tx, new SupportAudit.Entry(actor, "retry back-end command", target, reason, retried ? "due now" : $"refused: {command.State}"), token);
                return Write.Commit(
                    retried ? null : SupportError.Conflict($"The command is {command.State}: only an open command, or a failed release, can be retried."));
            },
            ct);
        return refused is not null ? refused : await GetAsync(commandId, ct);
    }

    private static CommandView View(BackendCommand command, IReadOnlyList<CommandAttempt> attempts) =>
        new(
            command.CommandId,
            command.Kind.Wire,
            command.CommandKey,
            command.HoldId,
            command.State.Wire,
            MoneyView.Of(command.AmountMicros, command.CurrencyCode),
            command.AccountId,
            command.Outcome,
            command.Reference,
            command.AttemptCount,
            command.LastError,
            command.CreatedAt,
            command.UpdatedAt,
            command.NextAttemptAt,
            command.ResolvedAt,
            attempts)
        {
            PaymentIntegratorAccountId = command.PaymentIntegratorAccountId,
            ReserveFundsRequestId = command.HoldId[(command.PaymentIntegratorAccountId.Length + 1)..],
        };

    private static SupportError NotFound(string commandId) => SupportError.NotFound($"No back-end command '{commandId}'.");
}
