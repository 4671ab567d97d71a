using Integrator.Core.Gsp.V1;

namespace Integrator.Core.Gsp;

/// <summary>
/// An expected, unprocessable outcome of a Google call: the HTTP status, the GSP error code (unset for 409/5xx, which
/// have no GSP code) and a description for Google's support staff. Descriptions never carry tokens, keys, account
/// numbers or request values.
/// </summary>
public sealed record GspError(int HttpStatus, ErrorResponseCode Code, string Description)
{
    /// <summary>
    /// The reservation a refused request is about when the request does not name it (a refund names its capture): the
    /// journal files the refusal under it, so that support sees it on the reservation's page.
    /// </summary>
    public string? ReserveFundsRequestId { get; init; }

    public static GspError InvalidPayloadEncryption(string description = "The payload could not be decrypted.") =>
        new(400, ErrorResponseCode.InvalidPayloadEncryption, description);

    public static GspError InvalidPayloadSignature() =>
        new(401, ErrorResponseCode.InvalidPayloadSignature, "The payload is not signed by an active Google key.");

    public static GspError ApiKeyRefused() =>
        new(401, ErrorResponseCode.InvalidPayloadSignature, "Google-facing routes authenticate by the payload signature only; an X-API-Key is refused.");

    public static GspError InvalidDecryptedRequest() =>
        new(400, ErrorResponseCode.InvalidDecryptedRequest, "The request is not a JSON object of this method's shape.");

    public static GspError InvalidApiVersion(int major) =>
        new(400, ErrorResponseCode.InvalidApiVersion, $"Protocol major version {major} is not supported; expected 1.");

    public static GspError MissingField(string field) =>
        new(400, ErrorResponseCode.MissingRequiredField, $"Missing required field: {field}.");

    public static GspError InvalidField(string field, string rule) =>
        new(400, ErrorResponseCode.InvalidFieldValue, $"Invalid value of {field}: {rule}.");

    public static GspError TimestampOutOfRange(TimeSpan skew) =>
        new(400, ErrorResponseCode.RequestTimestampOutOfRange,
            $"requestHeader.requestTimestamp is more than {skew.TotalSeconds:0} s away from the server clock.");

    public static GspError UnknownIdentifier(string identifier) =>
        new(404, ErrorResponseCode.InvalidIdentifier, $"Unknown {identifier}.");

    public static GspError IdempotencyViolation() =>
        new(412, ErrorResponseCode.IdempotencyViolation,
            "This requestId was already used for this paymentIntegratorAccountId with a different request.");

    public static GspError PreconditionViolation(string description) =>
        new(400, ErrorResponseCode.PreconditionViolation, description);

    public static GspError StillInFlight() =>
        new(409, ErrorResponseCode.UnknownErrorResponseCode,
            "A request with this requestId is still being processed; retry later.");

    public static GspError Conflict() =>
        new(409, ErrorResponseCode.UnknownErrorResponseCode, "The request was aborted by a concurrent change; retry later.");

    public static GspError Unavailable() =>
        new(503, ErrorResponseCode.UnknownErrorResponseCode, "The service is temporarily unavailable; retry later.");

    /// <summary>The account back end has not answered yet (a timeout, a failure, an answer to confirm): Google retries.</summary>
    public static GspError BackendUnknown() =>
        new(503, ErrorResponseCode.UnknownErrorResponseCode, "The account back end has not answered yet; retry later with the same requestId.");

    /// <summary>The account back end refused the request itself (support sees the command): Google may retry later.</summary>
    public static GspError BackendRefused() =>
        new(503, ErrorResponseCode.UnknownErrorResponseCode, "The account back end refused the request; retry later with the same requestId.");

    /// <summary>The reservation's capture is on its way to the back end: what follows depends on its outcome.</summary>
    public static GspError CaptureInProgress() =>
        new(503, ErrorResponseCode.UnknownErrorResponseCode, "A capture of this reservation is in progress; retry later with the same requestId.");

    public static GspError Internal() =>
        new(500, ErrorResponseCode.UnknownErrorResponseCode, "Internal error.");

    public static GspError MethodNotAllowed(string httpMethod) =>
        new(405, ErrorResponseCode.UnknownErrorResponseCode, $"HTTP {httpMethod} is not allowed here; GSP methods are called with POST.");

    public static GspError TooLarge(int maxBytes) =>
        new(413, ErrorResponseCode.UnknownErrorResponseCode, $"The request body exceeds {maxBytes} bytes.");

    public static GspError BodyTooSlow(TimeSpan limit) =>
        new(408, ErrorResponseCode.UnknownErrorResponseCode, $"The request body did not arrive within {limit.TotalSeconds:0.#} s.");

    public static GspError TooManyFromAddress() =>
        new(503, ErrorResponseCode.UnknownErrorResponseCode, "Too many calls from this address at once; retry later.");

    /// <summary>The wire name of <see cref="Code"/> (e.g. <c>INVALID_IDENTIFIER</c>), or null when it has none.</summary>
    public string? CodeName => Code == ErrorResponseCode.UnknownErrorResponseCode
        ? null
        : ErrorResponse.Descriptor.FindFieldByNumber(ErrorResponse.ErrorResponseCodeFieldNumber).EnumType
            .FindValueByNumber((int)Code).Name;

    /// <summary>The one place an outcome becomes a GSP <c>ErrorResponse</c>.</summary>
    public ErrorResponse ToResponse(string errorIdentifier, DateTimeOffset now) => new()
    {
        ResponseHeader = ResponseHeader.At(now),
        ErrorResponseCode = Code,
        ErrorDescription = Description,
        PaymentIntegratorErrorIdentifier = errorIdentifier,
    };
}
