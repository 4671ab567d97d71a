using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Integrator.Core.Storage;

namespace Integrator.Core.Redirect;

/// <summary>
/// getGeneratePaymentTokenRedirectStatus (docs/gsp-rules.md §8): the session's one result, <c>pending</c> while the customer
/// may still finish. A session no browser can finish any more (<see cref="RedirectFlow.FinishableUntil"/>) ends here
/// as userExitedPaymentFlow, with its complete notification, so that Google does not poll a pending result forever.
/// </summary>
public sealed class RedirectStatusHandler(RedirectSessionStore sessions, RedirectFlow flow)
    : IGspMethod<GetGeneratePaymentTokenRedirectStatusRequest, GetGeneratePaymentTokenRedirectStatusResponse>
{
    public async Task<GspOutcome<GetGeneratePaymentTokenRedirectStatusResponse>> ExecuteAsync(
        GetGeneratePaymentTokenRedirectStatusRequest request, DbTx tx, DateTimeOffset now, CancellationToken ct)
    {
        var session = await sessions.FindAsync(tx, request.RedirectRequestId, ct);
        if (session is null)
        {
            return GspError.UnknownIdentifier("redirectRequestId");
        }

        if (!session.IsFinished && now > flow.FinishableUntil(session))
        {
            var abandoned = session with { Result = RedirectResults.UserExitedPaymentFlow };
            session = await flow.TryEndAsync(tx, abandoned, now, ct) ? abandoned : (await sessions.FindAsync(tx, request.RedirectRequestId, ct))!;
        }

        return new GetGeneratePaymentTokenRedirectStatusResponse { Result = RedirectResults.ToMessage(session.Result) };
    }
}
