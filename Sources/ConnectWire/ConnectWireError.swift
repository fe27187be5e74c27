/// The one error type of ConnectWire: an AWS error name with its message, renderable as a rest-json error response
/// (see `restJSONResponse(requestId:)`) that the AWS SDKs turn into the exception class of the same name.
public struct ConnectWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The AWS error names Switchboard's contact engine uses, each with the HTTP status the service models give it.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// 404 — no such instance, contact or participant.
        case resourceNotFound = "ResourceNotFoundException"
        /// 400 — the request as a whole is not valid (malformed body, contact in the wrong state).
        case invalidRequest = "InvalidRequestException"
        /// 400 — one member is missing or not valid (Amazon Connect).
        case invalidParameter = "InvalidParameterException"
        /// 403 — bad signature or bearer token.
        case accessDenied = "AccessDeniedException"
        /// 429 — request rate too high.
        case throttling = "ThrottlingException"
        /// 429 — a quota (e.g. concurrent contacts) is used up.
        case limitExceeded = "LimitExceededException"
        /// 500 — Amazon Connect's name for an internal failure.
        case internalService = "InternalServiceException"
        /// 500 — the participant service's name for an internal failure.
        case internalServer = "InternalServerException"
        /// 400 — a member is missing or not valid (participant service).
        case validation = "ValidationException"
        /// 409 — the request conflicts with the current state (participant `SendEvent`).
        case conflict = "ConflictException"
        /// 410 — `StopContact` on a contact that no longer exists.
        case contactNotFound = "ContactNotFoundException"

        /// The HTTP status the AWS service model assigns to this error.
        public var httpStatus: Int {
            switch self {
            case .resourceNotFound: 404
            case .invalidRequest, .invalidParameter, .validation: 400
            case .accessDenied: 403
            case .throttling, .limitExceeded: 429
            case .internalService, .internalServer: 500
            case .conflict: 409
            case .contactNotFound: 410
            }
        }
    }

    /// Why SigV4 verification refused a request; every case renders as `AccessDeniedException`, as the spec asks,
    /// but callers (logs, metrics) can tell them apart.
    public enum SignatureFailure: String, Sendable, Hashable, CaseIterable {
        /// No `Authorization` header.
        case missingAuthorization
        /// The `Authorization` header is not `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
        case malformedAuthorization
        /// Neither `X-Amz-Date` nor `Date` is present.
        case missingDate
        /// The date header cannot be parsed.
        case malformedDate
        /// The access key id is not one we know.
        case unknownAccessKey
        /// The credential scope names another date, region or service.
        case credentialScopeMismatch
        /// `host` is not signed, or a signed header is absent from the request.
        case missingSignedHeader
        /// `x-amz-content-sha256` says the body is not signed, or does not match the body.
        case payloadHashMismatch
        /// The credentials need a session token and the request's `X-Amz-Security-Token` is absent or different.
        case invalidSecurityToken
        /// The request is more than the allowed skew (5 minutes) away from our clock.
        case requestTimeSkewed
        /// The signature we calculated differs from the one sent.
        case signatureMismatch
    }

    /// The AWS error name.
    public var code: Code
    /// The human-readable message sent as `message`.
    public var message: String
    /// Set when the error comes from SigV4 verification.
    public var signatureFailure: SignatureFailure?
    /// Set (by ``ConnectClient``) when a call got no answer at all: refused, reset or timed out.
    public var transportFailure = false
    /// The HTTP status a remote service answered with, for errors ``ConnectClient`` received.
    public var remoteStatus: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Creates the `AccessDeniedException` for a failed SigV4 verification.
    public static func signature(_ failure: SignatureFailure, _ message: String) -> ConnectWireError {
        var error = ConnectWireError(.accessDenied, message)
        error.signatureFailure = failure
        return error
    }

    /// `Code: message`.
    public var description: String {
        "\(code.rawValue): \(message)"
    }
}
