import Foundation
import Testing

@testable import ConnectWire

@Suite("SigV4Signer reproduces botocore")
struct SigV4SignerTests {
    @Test("canonical request, string to sign and Authorization match botocore", arguments: BotocoreFixture.shared.sigv4)
    func matchesBotocore(vector: BotocoreFixture.Vector) {
        let signer = SigV4Signer(credentials: vector.credentials, region: vector.region, service: vector.service)
        let signature = signer.signature(for: vector.request(headers: vector.signingHeaders), date: vector.date)
        #expect(signature.canonicalRequest == vector.canonicalRequest)
        #expect(signature.stringToSign == vector.stringToSign)
        #expect(signature.signature == vector.signature)
        #expect(signature.authorization == vector.authorization)
    }

    @Test("sign adds X-Amz-Date, the session token and Authorization, replacing stale ones")
    func signAddsHeaders() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "token"), region: "us-west-2",
            service: "connect")
        let request = SigV4Request(
            method: "GET", path: "/contacts/a/b",
            headers: [HTTPHeader("Host", "example.com"), HTTPHeader("X-Amz-Date", "19990101T000000Z"), HTTPHeader("authorization", "old")],
            body: [UInt8]())
        let date = AWSDateFormat.parseAmzDate("20240501T123456Z")!
        let signed = signer.sign(request, date: date)
        #expect(signed.headers.values(named: "X-Amz-Date") == ["20240501T123456Z"])
        #expect(signed.headers.values(named: "X-Amz-Security-Token") == ["token"])
        #expect(signed.headers.values(named: "Authorization") == [signer.signature(for: request, date: date).authorization])
        #expect(signer.signature(for: request, date: date).signedHeaders == ["host", "x-amz-date", "x-amz-security-token"])
    }

    @Test("a label is percent-encoded once on the wire and twice in the canonical URI")
    func pathIsEncodedAgain() {
        #expect(SigV4Canonical.canonicalURI("/contacts/i/a%20b%2Fc") == "/contacts/i/a%2520b%252Fc")
        #expect(SigV4Canonical.canonicalURI("") == "/")
        #expect(SigV4Canonical.canonicalURI("/a/./b/../c//d/") == "/a/c/d/")
        #expect(SigV4Canonical.canonicalURI("/..") == "/")
    }

    @Test("query parameters are re-encoded and sorted by name, then value")
    func canonicalQuery() {
        #expect(SigV4Canonical.canonicalQuery("b=2&a=z&a=y&c") == "a=y&a=z&b=2&c=")
        #expect(SigV4Canonical.canonicalQuery("x=a b&y=%7e&z=%2a") == "x=a%20b&y=~&z=%2A")
        #expect(SigV4Canonical.canonicalQuery("") == "")
    }

    @Test("header values are trimmed and inner whitespace collapsed, repeats joined with commas")
    func canonicalHeaders() {
        let request = SigV4Request(
            method: "get", path: "/",
            headers: [HTTPHeader("Host", "h"), HTTPHeader("X-A", "  a   b\t c "), HTTPHeader("x-a", "d"), HTTPHeader("User-Agent", "ua")],
            payloadHash: SigV4Request.emptyPayloadHash)
        let signed = SigV4Canonical.signableHeaderNames(request.headers)
        #expect(signed == ["host", "x-a"])
        #expect(
            SigV4Canonical.canonicalRequest(request, signedHeaders: signed, payloadHash: "p")
                == "GET\n/\n\nhost:h\nx-a:a b c,d\n\nhost;x-a\np")
    }
}
