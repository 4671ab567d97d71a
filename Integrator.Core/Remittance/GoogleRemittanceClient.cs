using Google.Protobuf;
using Integrator.Core.GoogleApi;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;
using Microsoft.Extensions.Options;

namespace Integrator.Core.Remittance;

/// <summary>
/// Calls Google's remittance methods (<c>POST {Google:BaseUrl}{Google:RemittancePath}/{method}/{PIAID}</c>) through
/// <see cref="GoogleClient"/>, as notifications are sent.
/// </summary>
public sealed class GoogleRemittanceClient(GoogleClient client, IOptions<GoogleOptions> google, TimeProvider time)
{
    private readonly string _path = google.Value.RemittancePath.Trim('/');

    public Task<GoogleAnswer<RemittanceStatementDetailsResponse>> DetailsAsync(
        string accountId, string statementId, string requestId, int offset, int count, CancellationToken ct) =>
        PostAsync<RemittanceStatementDetailsResponse>(
            GspMethods.RemittanceStatementDetails,
            accountId,
            new RemittanceStatementDetailsRequest
            {
                RequestHeader = Header(requestId),
                PaymentIntegratorAccountId = accountId,
                StatementId = statementId,
                EventOffset = offset,
                NumberOfEvents = count,
            },
            ct);

    public Task<GoogleAnswer<AcceptRemittanceStatementResponse>> AcceptAsync(
        string accountId, string statementId, string requestId, CancellationToken ct) =>
        PostAsync<AcceptRemittanceStatementResponse>(
            GspMethods.AcceptRemittanceStatement,
            accountId,
            new AcceptRemittanceStatementRequest { RequestHeader = Header(requestId), PaymentIntegratorAccountId = accountId, StatementId = statementId },
            ct);

    private RequestHeader Header(string requestId) => RequestHeader.For(requestId, time.GetUtcNow());

    private Task<GoogleAnswer<TResponse>> PostAsync<TResponse>(string method, string accountId, IMessage request, CancellationToken ct)
        where TResponse : class, IMessage<TResponse>, new() =>
        client.PostAsync<TResponse>($"{_path}/{method}", accountId, request, $"{method} response", ct);
}
