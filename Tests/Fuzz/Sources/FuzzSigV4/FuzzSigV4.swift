import Foundation
@testable import ConnectWire

/// SigV4 on any request, given as HTTP/1 text: `METHOD PATH[?QUERY]`, header lines `Name: value`, an empty line, the
/// body. The verifier runs on it as the Connect API receives it (the `Authorization` header is the attacker's), and
/// the signer and the canonicaliser on it as the AWS mode sends it.
///
/// Checks, besides not trapping: the verifier only ever throws `AccessDeniedException`; the canonical request is a
/// function of the request; the path and query canonical forms are fixed points (canonicalising again changes
/// nothing); and whatever the signer signs, the verifier accepts: a request with token header names, signed by
/// `SigV4Signer`, verifies as that access key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigV4(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let request = parseRequest(Array(UnsafeBufferPointer(start: data, count: size)))
    checkVerifier(request)
    checkCanonicalForms(request)
    checkRoundTrip(request)
    return 0
}

/// The credentials, region and time of the committed corpus (botocore's requests in Tests/ConnectWireTests/Fixtures).
let credentials = AWSCredentials(accessKeyId: "LOCALDEMOACCESSKEY", secretAccessKey: "local-demo-secret")
let verifier = SigV4Verifier(region: "us-west-2", service: "connect") { $0 == credentials.accessKeyId ? credentials : nil }
let signer = SigV4Signer(credentials: credentials, region: "us-west-2", service: "connect")
let now = Date(timeIntervalSince1970: 1_714_566_896)  // 20240501T123456Z

func parseRequest(_ bytes: [UInt8]) -> SigV4Request {
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
    let start = String(decoding: lines.popFirst() ?? [], as: UTF8.self)
    let (method, target) = split(start, at: " ")
    let (path, query) = split(target, at: "?")
    var headers: [HTTPHeader] = []
    while let line = lines.popFirst(), !line.isEmpty {
        let (name, value) = split(String(decoding: line, as: UTF8.self), at: ":")
        headers.append(HTTPHeader(name, value))
    }
    let body = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    return SigV4Request(method: method, path: path, query: query, headers: headers, body: body)
}

func split(_ text: String, at separator: Character) -> (String, String) {
    guard let index = text.firstIndex(of: separator) else { return (text, "") }
    return (String(text[..<index]), String(text[text.index(after: index)...]))
}

func checkVerifier(_ request: SigV4Request) {
    do {
        _ = try verifier.verify(request, now: now)
    } catch {
        guard error.code == .accessDenied, error.signatureFailure != nil else { fatalError("verify threw \(error)") }
    }
}

func checkCanonicalForms(_ request: SigV4Request) {
    let names = SigV4Canonical.signableHeaderNames(request.headers)
    let canonical = SigV4Canonical.canonicalRequest(request, signedHeaders: names, payloadHash: request.payloadHash)
    guard canonical == SigV4Canonical.canonicalRequest(request, signedHeaders: names, payloadHash: request.payloadHash) else {
        fatalError("the canonical request is not a function of the request")
    }
    let path = SigV4Canonical.removeDotSegments(request.path)
    guard SigV4Canonical.removeDotSegments(path) == path else { fatalError("removeDotSegments(\(request.path)) is not normalised") }
    let query = SigV4Canonical.canonicalQuery(request.query)
    guard SigV4Canonical.canonicalQuery(query) == query else { fatalError("canonicalQuery(\(request.query)) is not canonical") }
}

func checkRoundTrip(_ request: SigV4Request) {
    var request = request
    // What an HTTP request can carry as a header name (RFC 9110 token), else it is not a request the signer sends.
    guard request.headers.allSatisfy({ !$0.name.isEmpty && $0.name.utf8.allSatisfy(isTokenByte) }) else { return }
    // A declared body hash that is not the body's is refused by design (the verifier's payloadHashMismatch).
    if let declared = request.headers.first(named: "x-amz-content-sha256"), declared.lowercased() != request.payloadHash { return }
    if request.headers.first(named: "Host") == nil { request.headers.append(HTTPHeader("Host", "127.0.0.1:8080")) }
    let signed = signer.sign(request, date: now)
    guard signer.sign(request, date: now) == signed else { fatalError("signing is not a function of the request") }
    do {
        let accessKeyId = try verifier.verify(signed, now: now)
        guard accessKeyId == credentials.accessKeyId else { fatalError("verified as \(accessKeyId)") }
    } catch {
        fatalError("the verifier refuses what the signer signed: \(error)\n\(signer.signature(for: request, date: now).canonicalRequest)")
    }
}

func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
    default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
