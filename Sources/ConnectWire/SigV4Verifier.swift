import Foundation

/// Verifies AWS Signature Version 4 `Authorization` headers on incoming requests, as AWS services do, so the AWS SDKs
/// can call the contact engine unchanged.
///
/// Only the header form is accepted (no pre-signed query strings). The canonical request is rebuilt from the raw
/// request line and the headers the client listed in `SignedHeaders`, so headers a client adds after signing
/// (botocore's `amz-sdk-*`, `User-Agent`, `Content-Length`) do not matter.
public struct SigV4Verifier: Sendable {
    /// The region credentials must be scoped to.
    public var region: String
    /// The signing name credentials must be scoped to, e.g. `connect`.
    public var service: String
    /// How far the request's date may be from ours, either way (AWS allows 5 minutes).
    public var maximumClockSkew: TimeInterval
    private let credentials: @Sendable (String) -> AWSCredentials?

    /// Creates a verifier; `credentials` looks up the secret for an access key id, nil when the key is unknown.
    public init(
        region: String, service: String, maximumClockSkew: TimeInterval = 300,
        credentials: @escaping @Sendable (_ accessKeyId: String) -> AWSCredentials?
    ) {
        self.region = region
        self.service = service
        self.maximumClockSkew = maximumClockSkew
        self.credentials = credentials
    }

    /// Verifies `request` (whose `payloadHash` must be the hash of the body actually received) and returns the access
    /// key id that signed it; throws `AccessDeniedException` with a `signatureFailure` otherwise.
    public func verify(_ request: SigV4Request, now: Date) throws(ConnectWireError) -> String {
        guard let header = request.headers.first(named: "Authorization") else {
            throw .signature(.missingAuthorization, "Missing Authentication Token: no Authorization header")
        }
        let authorization = try Self.parseAuthorization(header)
        let scopeParts = authorization.credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scopeParts.count == 5, !scopeParts[0].isEmpty else {
            throw .signature(
                .malformedAuthorization, "Credential should be scoped to a valid region, e.g. AKID/20240101/\(region)/\(service)/aws4_request")
        }
        let accessKeyId = scopeParts[0]
        guard let secret = credentials(accessKeyId) else {
            throw .signature(.unknownAccessKey, "The security token included in the request is invalid: unknown access key \(accessKeyId)")
        }

        let (amzDate, requestDate) = try Self.requestDate(request.headers)
        let expectedScope = SigV4Canonical.credentialScope(date: amzDate, region: region, service: service)
        let sentScope = scopeParts[1...].joined(separator: "/")
        guard sentScope == expectedScope else {
            throw .signature(.credentialScopeMismatch, "Credential should be scoped to \(expectedScope), not \(sentScope)")
        }
        guard abs(requestDate.timeIntervalSince(now)) <= maximumClockSkew else {
            throw .signature(
                .requestTimeSkewed,
                "Signature expired: \(amzDate) is more than \(Int(maximumClockSkew)) seconds from \(AWSDateFormat.amzDate(now))")
        }

        if let token = secret.sessionToken, request.headers.first(named: "X-Amz-Security-Token") != token {
            throw .signature(.invalidSecurityToken, "The security token included in the request is invalid")
        }

        guard authorization.signedHeaders.contains("host") else {
            throw .signature(.missingSignedHeader, "'Host' must be a signed header")
        }
        for name in authorization.signedHeaders where request.headers.first(named: name) == nil {
            throw .signature(.missingSignedHeader, "Signed header '\(name)' is not in the request")
        }

        var payloadHash = request.payloadHash
        if let declared = request.headers.first(named: "x-amz-content-sha256") {
            // A declared hash is what the client signed; it only counts if it really is the body's.
            guard declared.lowercased() == request.payloadHash.lowercased() else {
                throw .signature(.payloadHashMismatch, "x-amz-content-sha256 '\(declared)' does not match the request body")
            }
            payloadHash = declared
        }

        let canonicalRequest = SigV4Canonical.canonicalRequest(request, signedHeaders: authorization.signedHeaders, payloadHash: payloadHash)
        let stringToSign = SigV4Canonical.stringToSign(amzDate: amzDate, scope: expectedScope, canonicalRequest: canonicalRequest)
        let expected = SigV4Canonical.signature(
            secret: secret.secretAccessKey, amzDate: amzDate, region: region, service: service, stringToSign: stringToSign)
        guard ByteEncoding.constantTimeEqual(Array(expected.utf8), Array(authorization.signature.lowercased().utf8)) else {
            throw .signature(
                .signatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
                    + "and signing method.")
        }
        return accessKeyId
    }

    /// Convenience for a router: the raw request parts and the body bytes.
    public func verify(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: some DataProtocol, now: Date
    ) throws(ConnectWireError) -> String {
        try verify(SigV4Request(method: method, path: path, query: query, headers: headers, body: body), now: now)
    }

    struct Authorization: Hashable {
        var credential: String
        var signedHeaders: [String]
        var signature: String
    }

    static func parseAuthorization(_ header: String) throws(ConnectWireError) -> Authorization {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix(SigV4Canonical.algorithm + " ") else {
            throw .signature(.malformedAuthorization, "Authorization header must use \(SigV4Canonical.algorithm)")
        }
        var fields = [String: String]()
        for part in trimmed.dropFirst(SigV4Canonical.algorithm.count + 1).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 {
                fields[String(pair[0])] = String(pair[1])
            }
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"],
            !signedHeaders.isEmpty, !signature.isEmpty
        else {
            throw .signature(.malformedAuthorization, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'")
        }
        // The client's order is the canonical order it signed; keep it rather than re-sorting.
        return Authorization(
            credential: credential, signedHeaders: signedHeaders.split(separator: ";").map { $0.lowercased() }, signature: signature)
    }

    /// The `X-Amz-Date` string the client signed, and the instant it names. A client signing with `Date` still signs
    /// the `X-Amz-Date` form of it in the string to sign.
    static func requestDate(_ headers: [HTTPHeader]) throws(ConnectWireError) -> (String, Date) {
        if let amzDate = headers.first(named: "X-Amz-Date") {
            guard let date = AWSDateFormat.parseAmzDate(amzDate.trimmingCharacters(in: .whitespaces)) else {
                throw .signature(.malformedDate, "X-Amz-Date '\(amzDate)' is not YYYYMMDD'T'HHMMSS'Z'")
            }
            return (AWSDateFormat.amzDate(date), date)
        }
        if let httpDate = headers.first(named: "Date") {
            guard let date = AWSDateFormat.parseHTTPDate(httpDate.trimmingCharacters(in: .whitespaces)) else {
                throw .signature(.malformedDate, "Date '\(httpDate)' is not an HTTP date")
            }
            return (AWSDateFormat.amzDate(date), date)
        }
        throw .signature(.missingDate, "Authorization requires an X-Amz-Date or Date header")
    }
}
