import Foundation
import Testing

@testable import ConnectWire

@Suite("SigV4Verifier accepts botocore and refuses forgeries")
struct SigV4VerifierTests {
    static let signedVectors = BotocoreFixture.shared.sigv4.filter { !$0.canonicalRequest.hasSuffix(SigV4Request.unsignedPayload) }
    static let unsignedVectors = BotocoreFixture.shared.sigv4.filter { $0.canonicalRequest.hasSuffix(SigV4Request.unsignedPayload) }

    func verifier(for vector: BotocoreFixture.Vector, secret: String? = nil) -> SigV4Verifier {
        let credentials = AWSCredentials(
            accessKeyId: vector.accessKeyId, secretAccessKey: secret ?? vector.secretAccessKey, sessionToken: vector.sessionToken)
        return SigV4Verifier(region: vector.region, service: vector.service) { $0 == credentials.accessKeyId ? credentials : nil }
    }

    func failure(_ body: () throws(ConnectWireError) -> String) -> ConnectWireError.SignatureFailure? {
        do {
            _ = try body()
            return nil
        } catch {
            #expect(error.code == .accessDenied)
            return error.signatureFailure
        }
    }

    @Test("accepts what botocore sent, as it went on the wire", arguments: signedVectors)
    func acceptsBotocore(vector: BotocoreFixture.Vector) throws {
        let request = vector.request(headers: vector.wireHeaders)
        #expect(try verifier(for: vector).verify(request, now: vector.date.addingTimeInterval(299)) == vector.accessKeyId)
        #expect(try verifier(for: vector).verify(request, now: vector.date.addingTimeInterval(-299)) == vector.accessKeyId)
    }

    @Test("accepts the tuple-header convenience form")
    func acceptsTuples() throws {
        let vector = Self.signedVectors[0]
        let headers = vector.wireHeaders.map { (name: $0[0], value: $0[1]) }
        let accessKeyId = try verifier(for: vector).verify(
            method: vector.method, path: vector.path, query: vector.query, headers: headers, body: vector.body, now: vector.date)
        #expect(accessKeyId == vector.accessKeyId)
    }

    @Test("refuses a tampered body", arguments: signedVectors.filter { !$0.body.isEmpty })
    func tamperedBody(vector: BotocoreFixture.Vector) {
        let request = vector.request(headers: vector.wireHeaders, body: vector.body + Array(" ".utf8))
        #expect(failure { () throws(ConnectWireError) in try verifier(for: vector).verify(request, now: vector.date) } == .signatureMismatch)
    }

    @Test("refuses a signature made with another secret", arguments: signedVectors)
    func wrongSecret(vector: BotocoreFixture.Vector) {
        let request = vector.request(headers: vector.wireHeaders)
        let verifier = verifier(for: vector, secret: "not-the-secret")
        #expect(failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date) } == .signatureMismatch)
    }

    @Test("refuses a request more than 5 minutes from now, either way", arguments: signedVectors)
    func staleDate(vector: BotocoreFixture.Vector) {
        let request = vector.request(headers: vector.wireHeaders)
        let verifier = verifier(for: vector)
        #expect(
            failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date.addingTimeInterval(301)) } == .requestTimeSkewed)
        #expect(
            failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date.addingTimeInterval(-301)) } == .requestTimeSkewed)
    }

    @Test("refuses a path, query or signed header changed after signing")
    func tamperedRequest() {
        let vector = BotocoreFixture.shared.sigv4.first { $0.name == "GET with query" }!
        let verifier = verifier(for: vector)
        var request = vector.request(headers: vector.wireHeaders)
        request.query += "&extra=1"
        #expect(failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date) } == .signatureMismatch)
        request = vector.request(headers: vector.wireHeaders)
        request.path += "x"
        #expect(failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date) } == .signatureMismatch)
        request = vector.request(headers: vector.wireHeaders)
        request.headers.replace(named: "Host", with: "evil.example")
        #expect(failure { () throws(ConnectWireError) in try verifier.verify(request, now: vector.date) } == .signatureMismatch)
    }

    @Test("refuses UNSIGNED-PAYLOAD: the body would not be covered", arguments: unsignedVectors)
    func unsignedPayload(vector: BotocoreFixture.Vector) {
        let request = vector.request(headers: vector.wireHeaders)
        #expect(failure { () throws(ConnectWireError) in try verifier(for: vector).verify(request, now: vector.date) } == .payloadHashMismatch)
    }

    @Test("names each other failure precisely")
    func preciseFailures() {
        let vector = Self.signedVectors.first { $0.sessionToken != nil }!
        let good = vector.request(headers: vector.wireHeaders)
        let verifier = verifier(for: vector)
        func check(_ expected: ConnectWireError.SignatureFailure, verifier: SigV4Verifier? = nil, _ edit: (inout SigV4Request) -> Void) {
            var request = good
            edit(&request)
            let used = verifier ?? self.verifier(for: vector)
            #expect(failure { () throws(ConnectWireError) in try used.verify(request, now: vector.date) } == expected, "\(expected)")
        }
        check(.missingAuthorization) { $0.headers.removeAll { $0.name == "Authorization" } }
        check(.malformedAuthorization) { $0.headers.replace(named: "Authorization", with: "Bearer abc") }
        check(.malformedAuthorization) { $0.headers.replace(named: "Authorization", with: "AWS4-HMAC-SHA256 Credential=LOCALDEMOACCESSKEY/x") }
        check(.unknownAccessKey) {
            $0.headers.replace(named: "Authorization", with: vector.authorization.replacingOccurrences(of: vector.accessKeyId, with: "OTHERKEY"))
        }
        check(.missingDate) { $0.headers.removeAll { $0.name == "X-Amz-Date" } }
        check(.malformedDate) { $0.headers.replace(named: "X-Amz-Date", with: "yesterday") }
        check(.credentialScopeMismatch, verifier: SigV4Verifier(region: "eu-west-1", service: "connect") { _ in vector.credentials }) { _ in }
        check(.credentialScopeMismatch, verifier: SigV4Verifier(region: vector.region, service: "execute-api") { _ in vector.credentials }) { _ in }
        check(.invalidSecurityToken) { $0.headers.removeAll { $0.name == "X-Amz-Security-Token" } }
        check(.missingSignedHeader) { $0.headers.removeAll { $0.name == "Content-Type" } }
        check(.payloadHashMismatch) { $0.headers.append(HTTPHeader("X-Amz-Content-SHA256", SigV4Request.emptyPayloadHash)) }
        #expect(throws: Never.self) { try verifier.verify(good, now: vector.date) }
    }

    @Test("a request signed by SigV4Signer verifies, including with a Date header instead of X-Amz-Date")
    func signerRoundTrip() throws {
        let credentials = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret")
        let signer = SigV4Signer(credentials: credentials, region: "us-west-2", service: "connect")
        let verifier = SigV4Verifier(region: "us-west-2", service: "connect") { $0 == "AKID" ? credentials : nil }
        let date = AWSDateFormat.parseAmzDate("20240501T123456Z")!
        let body = Array(#"{"ContactId":"c","InstanceId":"i"}"#.utf8)
        let request = SigV4Request(
            method: "POST", path: "/connect/contact/stop",
            headers: [HTTPHeader("Host", "127.0.0.1:8080"), HTTPHeader("Content-Type", "application/json")],
            body: body)
        #expect(try verifier.verify(signer.sign(request, date: date), now: date) == "AKID")

        // A client that signs with Date still puts the X-Amz-Date form in the string to sign.
        var withDate = request
        withDate.headers.append(HTTPHeader("Date", "Wed, 01 May 2024 12:34:56 GMT"))
        var signed = signer.sign(withDate, date: date)
        let authorization = signed.headers.first(named: "Authorization")!
        signed.headers.removeAll { $0.name == "X-Amz-Date" || $0.name == "Authorization" }
        let withoutAmzDate = SigV4Request(method: signed.method, path: signed.path, headers: signed.headers, payloadHash: signed.payloadHash)
        let resigned = SigV4Canonical.signature(
            secret: "secret", amzDate: "20240501T123456Z", region: "us-west-2", service: "connect",
            stringToSign: SigV4Canonical.stringToSign(
                amzDate: "20240501T123456Z", scope: "20240501/us-west-2/connect/aws4_request",
                canonicalRequest: SigV4Canonical.canonicalRequest(
                    withoutAmzDate, signedHeaders: ["content-type", "date", "host"], payloadHash: withoutAmzDate.payloadHash)))
        var dated = withoutAmzDate
        dated.headers.append(
            HTTPHeader(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-west-2/connect/aws4_request, SignedHeaders=content-type;date;host, "
                    + "Signature=\(resigned)"
            ))
        #expect(try verifier.verify(dated, now: date) == "AKID")
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20240501/"))
    }
}
