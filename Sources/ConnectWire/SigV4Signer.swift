import Foundation

/// Signs requests with AWS Signature Version 4, the way botocore does for REST services such as Amazon Connect.
///
/// Used by the AWS mode to call the real service, and by tests to produce requests the verifier must accept.
public struct SigV4Signer: Sendable {
    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The region in the credential scope, e.g. `us-west-2`.
    public var region: String
    /// The signing name of the service: `connect` for Amazon Connect, `execute-api` for the participant service.
    public var service: String

    /// Creates a signer for one service in one region.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns `request` with `X-Amz-Date`, `X-Amz-Security-Token` (when the credentials have one) and `Authorization`
    /// set, replacing any earlier values so a retried request can be signed again.
    public func sign(_ request: SigV4Request, date: Date) -> SigV4Request {
        let prepared = prepare(request, date: date)
        var signed = prepared
        signed.headers.append(HTTPHeader("Authorization", signature(ofPrepared: prepared, amzDate: AWSDateFormat.amzDate(date)).authorization))
        return signed
    }

    /// Computes the signature `sign(_:date:)` would add, with its intermediate strings.
    public func signature(for request: SigV4Request, date: Date) -> SigV4Signature {
        signature(ofPrepared: prepare(request, date: date), amzDate: AWSDateFormat.amzDate(date))
    }

    private func prepare(_ request: SigV4Request, date: Date) -> SigV4Request {
        var prepared = request
        prepared.headers.removeAll { $0.name.lowercased() == "authorization" }
        prepared.headers.replace(named: "X-Amz-Date", with: AWSDateFormat.amzDate(date))
        if let token = credentials.sessionToken {
            prepared.headers.replace(named: "X-Amz-Security-Token", with: token)
        }
        return prepared
    }

    private func signature(ofPrepared request: SigV4Request, amzDate: String) -> SigV4Signature {
        let signedHeaders = SigV4Canonical.signableHeaderNames(request.headers)
        // An explicit x-amz-content-sha256 (e.g. UNSIGNED-PAYLOAD) replaces the body hash, as in botocore.
        let payloadHash = request.headers.first(named: "x-amz-content-sha256") ?? request.payloadHash
        let canonicalRequest = SigV4Canonical.canonicalRequest(request, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let scope = SigV4Canonical.credentialScope(date: amzDate, region: region, service: service)
        let stringToSign = SigV4Canonical.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = SigV4Canonical.signature(
            secret: credentials.secretAccessKey, amzDate: amzDate, region: region, service: service, stringToSign: stringToSign)
        let authorization =
            "\(SigV4Canonical.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
        return SigV4Signature(
            authorization: authorization, signature: signature, amzDate: amzDate, credentialScope: scope, signedHeaders: signedHeaders,
            canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }
}
