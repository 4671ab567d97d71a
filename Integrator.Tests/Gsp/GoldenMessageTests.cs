using System.Text;
using System.Text.Json.Nodes;
using Integrator.Core.Gsp;
using Integrator.Core.Gsp.V1;

namespace Integrator.Tests.Gsp;

/// <summary>
/// The example documents of Google's method pages (docs/gsp-rules.md §1) parse into our messages, and our responses format with the
/// same field names, int64-as-string and enum names.
/// </summary>
public sealed class GoldenMessageTests
{
    // cancelFundsReservation, the official example (docs/gsp-rules.md §1).
    private const string CancelRequest = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "G1NMPDFX4AW395L", "requestTimestamp": "1481907920000" },
          "paymentIntegratorAccountId": "SpeedyPaymentsIndia_INR", "reserveFundsRequestId": "G1MQ0YERJ0Q7LPM" }
        """;

    private const string CancelResponse = """{ "responseHeader": { "responseTimestamp": "1481907920760" }, "result": "SUCCESS" }""";

    // reserveFunds (docs/gsp-rules.md §1).
    private const string ReserveRequest = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "bWVyY2hhbnQgdHJhbnNhY3Rpb24gaWQ", "requestTimestamp": "1502220196077" },
          "paymentIntegratorAccountId": "InvisiCashUSA_USD",
          "googlePaymentToken": "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ",
          "transactionDescription": "Google - Music", "currencyCode": "INR", "amount": "728000000",
          "reserveFundsContext": { "userIpAddress": "2001:4860:4860::8888",
            "shippingAddress": { "name": "Example Customer", "addressLine": ["123 Main St"], "localityName": "Springfield",
              "administrativeAreaName": "CO", "postalCodeNumber": "80309", "countryCode": "US" } } }
        """;

    private const string ReserveResponse = """
        { "responseHeader": { "responseTimestamp": "1481900013178" }, "result": "SUCCESS",
          "paymentIntegratorTransactionId": "aW50ZWdyYXRvciB0cmFuc2FjdGlvbiBpZA", "expirationTimestamp": "1481900033178" }
        """;

    // captureFundsReservation (docs/gsp-rules.md §1).
    private const string CaptureRequest = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "G112YZH4XPDV88J", "requestTimestamp": "1481907920000" },
          "paymentIntegratorAccountId": "SpeedyPaymentsIndia_INR", "reserveFundsRequestId": "G1MQ0YERJ0Q7LPM", "amount": "728000000" }
        """;

    private const string CaptureResponse = """
        { "responseHeader": { "responseTimestamp": "1481907920760" }, "result": "SUCCESS", "paymentIntegratorCaptureId": "invicash/ID::1323_abc" }
        """;

    // echo (docs/gsp-rules.md §1).
    private const string EchoRequest = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "ZWNobyB0cmFuc2FjdGlvbg", "requestTimestamp": "1481899949606" },
          "clientMessage": "client message" }
        """;

    private const string EchoResponse = """
        { "responseHeader": { "responseTimestamp": "1481900013178" }, "clientMessage": "client message", "serverMessage": "server message" }
        """;

    // cancelFundsReservationResultNotification, the card-fop example without the optional rawResult (docs/gsp-rules.md §5).
    private const string NotificationRequest = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "473da9f8-92c4-4481-b830-976481d928d2", "requestTimestamp": "1481907920000" },
          "cancelFundsReservationRequestId": "G1NMPDFX4AW395L", "paymentIntegratorAccountId": "SpeedyPaymentsIndia_INR",
          "cancelFundsReservationResult": "SUCCESS" }
        """;

    // refund (docs/gsp-rules.md §7).
    private const string RefundExample = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "liUrreQY233839dfFFb24gaQM", "requestTimestamp": "1502220434778" },
          "paymentIntegratorAccountId": "InvisiCashUSA_USD", "captureRequestId": "bWVyY2hhbnQgdHJhbnNhY3Rpb24gaWQ",
          "currencyCode": "INR", "refundAmount": "208000000" }
        """;

    private const string RefundAnswer = """
        { "responseHeader": { "responseTimestamp": "1481900013178" }, "result": "SUCCESS", "paymentIntegratorRefundId": "cmVmdW5kIGlkZW50aWZpZXINCg" }
        """;

    // remittanceStatementNotification and its answer (docs/gsp-rules.md §7).
    private const string StatementExample = """
        { "requestHeader": { "protocolVersion": { "major": 1, "minor": 0, "revision": 0 },
            "requestId": "0123434-statement-abc", "requestTimestamp": "1502632800000" },
          "paymentIntegratorAccountId": "InvisiCashUSA_USD",
          "remittanceStatementSummary": { "statementDate": "1502607600000",
            "billingPeriod": { "startDate": "1502434800000", "endDate": "1502521199000" },
            "dateDue": "1503212400000", "currencyCode": "INR", "totalDueByIntegrator": "1076000000",
            "totalPresentmentAmounts": [ { "amountMicros": "1076000000", "currencyCode": "INR" } ],
            "remittanceInstructions": { "memoLineId": "stmt-1AB-pp0-invisi" } } }
        """;

    private const string StatementAnswer = """
        { "responseHeader": { "responseTimestamp": "1502632802000" }, "paymentIntegratorStatementId": "334a", "result": "ACCEPTED" }
        """;

    [Test]
    public void RefundAndStatementExamplesParse()
    {
        var refund = Parse<RefundRequest>(RefundExample);
        var statement = Parse<RemittanceStatementNotificationRequest>(StatementExample).RemittanceStatementSummary;
        Assert.Multiple(() =>
        {
            Assert.That(refund.CaptureRequestId, Is.EqualTo("bWVyY2hhbnQgdHJhbnNhY3Rpb24gaWQ"));
            Assert.That(refund.RefundAmount, Is.EqualTo(208_000_000));
            Assert.That(statement.TotalDueByIntegrator, Is.EqualTo(1_076_000_000));
            Assert.That(statement.BillingPeriod.EndDate, Is.EqualTo(1502521199000));
            Assert.That(statement.TotalPresentmentAmounts.Single().AmountMicros, Is.EqualTo(1_076_000_000));
            Assert.That(statement.RemittanceInstructions.MemoLineId, Is.EqualTo("stmt-1AB-pp0-invisi"));
        });
    }

    [Test]
    public void RefundAndStatementResponsesFormatLikeTheExamples()
    {
        AssertSameJson(
            new RefundResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1481900013178 },
                Result = RefundResponse.Types.RefundResultCode.Success,
                PaymentIntegratorRefundId = "cmVmdW5kIGlkZW50aWZpZXINCg",
            },
            RefundAnswer);
        AssertSameJson(
            new RemittanceStatementNotificationResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1502632802000 },
                PaymentIntegratorStatementId = "334a",
                Result = RemittanceStatementNotificationResponse.Types.StatementNotificationResultCode.Accepted,
            },
            StatementAnswer);
    }

    [Test]
    public void CancelExampleParses()
    {
        var request = Parse<CancelFundsReservationRequest>(CancelRequest);
        Assert.Multiple(() =>
        {
            Assert.That(request.RequestHeader.ProtocolVersion.Major, Is.EqualTo(1));
            Assert.That(request.RequestHeader.RequestId, Is.EqualTo("G1NMPDFX4AW395L"));
            Assert.That(request.RequestHeader.RequestTimestamp, Is.EqualTo(1481907920000));
            Assert.That(request.PaymentIntegratorAccountId, Is.EqualTo("SpeedyPaymentsIndia_INR"));
            Assert.That(request.ReserveFundsRequestId, Is.EqualTo("G1MQ0YERJ0Q7LPM"));
        });
    }

    [Test]
    public void ReserveExampleParsesWithItsContext()
    {
        var request = Parse<ReserveFundsRequest>(ReserveRequest);
        Assert.Multiple(() =>
        {
            Assert.That(request.Amount, Is.EqualTo(728_000_000));
            Assert.That(request.CurrencyCode, Is.EqualTo("INR"));
            Assert.That(request.GooglePaymentToken, Is.EqualTo("ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ"));
            Assert.That(request.ReserveFundsContext.ShippingAddress.AddressLine, Is.EqualTo(new[] { "123 Main St" }));
        });
    }

    [Test]
    public void CaptureAndEchoExamplesParse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse<CaptureFundsReservationRequest>(CaptureRequest).Amount, Is.EqualTo(728_000_000));
            Assert.That(Parse<EchoRequest>(EchoRequest).ClientMessage, Is.EqualTo("client message"));
        });
    }

    [Test]
    public void Int64FieldsAlsoParseFromBareNumbers()
    {
        // A sibling v1 page prints requestTimestamp as a number (docs/gsp-rules.md §1): a tolerant parser accepts both.
        var request = Parse<CancelFundsReservationRequest>(CancelRequest.Replace("\"1481907920000\"", "1481907920000", StringComparison.Ordinal));
        Assert.That(request.RequestHeader.RequestTimestamp, Is.EqualTo(1481907920000));
    }

    [Test]
    public void UnknownFieldsAreIgnored()
    {
        var json = CancelRequest.Replace("\"reserveFundsRequestId\"", "\"addedInAMinorVersion\": {\"x\": 1}, \"reserveFundsRequestId\"", StringComparison.Ordinal);
        Assert.That(Parse<CancelFundsReservationRequest>(json).ReserveFundsRequestId, Is.EqualTo("G1MQ0YERJ0Q7LPM"));
    }

    [TestCase("""{ "requestHeader": {}, "requestHeader": {} }""", Description = "duplicate key")]
    [TestCase("""[ 1, 2 ]""", Description = "not an object")]
    [TestCase("""{ "paymentIntegratorAccountId": 12 }""", Description = "number for a string")]
    [TestCase("""{ "requestHeader": { "requestTimestamp": "soon" } }""", Description = "text for an int64")]
    [TestCase("""{ "requestHeader": { "requestTimestamp": "99999999999999999999" } }""", Description = "int64 overflow")]
    [TestCase("""{ "paymentIntegratorAccountId": "a", }""", Description = "trailing comma")]
    [TestCase("""{ /* c */ "paymentIntegratorAccountId": "a" }""", Description = "comment")]
    [TestCase("""{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}}}}}}}}}}""", Description = "too deep")]
    public void MalformedDocumentsAreRejected(string json) =>
        Assert.That(GspJson.TryParse<CancelFundsReservationRequest>(Encoding.UTF8.GetBytes(json), out _), Is.False);

    [Test]
    public void CancelResponseFormatsLikeTheExample() =>
        AssertSameJson(
            new CancelFundsReservationResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1481907920760 },
                Result = CancelFundsReservationResponse.Types.CancelReservedFundsResultCode.Success,
            },
            CancelResponse);

    [Test]
    public void ReserveResponseFormatsLikeTheExample() =>
        AssertSameJson(
            new ReserveFundsResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1481900013178 },
                Result = ReserveFundsResponse.Types.ReserveFundsResultCode.Success,
                PaymentIntegratorTransactionId = "aW50ZWdyYXRvciB0cmFuc2FjdGlvbiBpZA",
                ExpirationTimestamp = 1481900033178,
            },
            ReserveResponse);

    [Test]
    public void ReserveDeclineHasNoExpiration() =>
        AssertSameJson(
            new ReserveFundsResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1 },
                Result = ReserveFundsResponse.Types.ReserveFundsResultCode.InsufficientFunds,
                PaymentIntegratorTransactionId = "t",
            },
            """{ "responseHeader": { "responseTimestamp": "1" }, "result": "INSUFFICIENT_FUNDS", "paymentIntegratorTransactionId": "t" }""");

    [Test]
    public void CaptureResponseFormatsLikeTheExample() =>
        AssertSameJson(
            new CaptureFundsReservationResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1481907920760 },
                Result = CaptureFundsReservationResponse.Types.CaptureReservedFundsResultCode.Success,
                PaymentIntegratorCaptureId = "invicash/ID::1323_abc",
            },
            CaptureResponse);

    [Test]
    public void EchoResponseFormatsLikeTheExample() =>
        AssertSameJson(
            new EchoResponse
            {
                ResponseHeader = new ResponseHeader { ResponseTimestamp = 1481900013178 },
                ClientMessage = "client message",
                ServerMessage = "server message",
            },
            EchoResponse);

    [Test]
    public void NotificationFormatsLikeTheExample() =>
        AssertSameJson(
            new CancelFundsReservationResultNotificationRequest
            {
                RequestHeader = new RequestHeader
                {
                    ProtocolVersion = new Core.Gsp.V1.Version { Major = 1, Minor = 0, Revision = 0 },
                    RequestId = "473da9f8-92c4-4481-b830-976481d928d2",
                    RequestTimestamp = 1481907920000,
                },
                CancelFundsReservationRequestId = "G1NMPDFX4AW395L",
                PaymentIntegratorAccountId = "SpeedyPaymentsIndia_INR",
                CancelFundsReservationResult = CancelFundsReservationResultNotificationRequest.Types.CancelFundsReservationResultCode.Success,
            },
            NotificationRequest);

    [Test]
    public void ErrorResponseUsesTheCodeName() =>
        AssertSameJson(
            GspError.UnknownIdentifier("reserveFundsRequestId").ToResponse("err-1", DateTimeOffset.FromUnixTimeMilliseconds(1481907920760)),
            """
            { "responseHeader": { "responseTimestamp": "1481907920760" }, "errorResponseCode": "INVALID_IDENTIFIER",
              "errorDescription": "Unknown reserveFundsRequestId.", "paymentIntegratorErrorIdentifier": "err-1" }
            """);

    [Test]
    public void ErrorsWithoutAGspCodeLeaveTheCodeOut() =>
        Assert.That(JsonNode.Parse(GspJson.Format(GspError.Unavailable().ToResponse("e", DateTimeOffset.UnixEpoch)))!.AsObject().ContainsKey("errorResponseCode"), Is.False);

    private static T Parse<T>(string json)
        where T : Google.Protobuf.IMessage, new()
    {
        Assert.That(GspJson.TryParse<T>(Encoding.UTF8.GetBytes(json), out var message), Is.True, json);
        return message;
    }

    private static void AssertSameJson(Google.Protobuf.IMessage message, string expected)
    {
        var actual = GspJson.Format(message);
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(actual), JsonNode.Parse(expected)), Is.True, $"{actual}\nexpected\n{expected}");
    }
}
