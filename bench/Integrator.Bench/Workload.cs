using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Integrator.Core.Security;

namespace Integrator.Bench;

/// <summary>Google's side of the benchmark: request bodies, sealed before the timed phase, and checks of the answers.</summary>
internal sealed class Workload(IMessageCodec client, string accountId)
{
    public IMessageCodec Client => client;

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public byte[][] Reserves(IReadOnlyList<string> ids) => Seal(ids, id =>
        $$"""{"requestHeader":{{Header(id)}},"paymentIntegratorAccountId":"{{accountId}}","googlePaymentToken":"tok-bench","transactionDescription":"Google - Music","currencyCode":"USD","amount":"1000000"}""");

    public byte[][] Cancels(IReadOnlyList<(string Id, string Reservation)> cancels) => Seal(cancels, c =>
        $$"""{"requestHeader":{{Header(c.Id)}},"paymentIntegratorAccountId":"{{accountId}}","reserveFundsRequestId":"{{c.Reservation}}"}""");

    public byte[][] Echoes(IReadOnlyList<string> ids) => Seal(ids, id =>
        $$"""{"requestHeader":{{Header(id)}},"clientMessage":"benchmark"}""");

    /// <summary>Opens an answer as Google would and checks it says what the request asked.</summary>
    public bool Verify(byte[] answer, string expectedField, string expectedValue)
    {
        var opened = client.Open(answer, client.ContentType);
        return opened.Json is { } json && JsonNode.Parse(json)?[expectedField]?.GetValue<string>() == expectedValue;
    }

    public static string[] NewIds(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}-{Guid.NewGuid():N}")).ToArray();

    private static string Header(string id) =>
        $$"""{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"{{id}}","requestTimestamp":"{{Now()}}"}""";

    private byte[][] Seal<T>(IReadOnlyList<T> items, Func<T, string> json)
    {
        var bodies = new byte[items.Count][];
        Parallel.For(0, items.Count, i => bodies[i] = client.Seal(Encoding.UTF8.GetBytes(json(items[i]))));
        return bodies;
    }
}
