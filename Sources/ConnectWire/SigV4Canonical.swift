import Crypto
import Foundation

/// The canonical request and signing-key derivation of AWS Signature Version 4, shared by the signer and the verifier
/// so both build byte-identical strings.
///
/// Every rule here mirrors botocore's `SigV4Auth` (the reference our fixtures come from) and what AWS services do for
/// non-S3 APIs:
/// - the path is normalized (dot segments and empty segments removed) and then percent-encoded *again*, so a label
///   sent as `a%20b` is signed as `a%2520b`;
/// - query parameters are decoded, re-encoded with the unreserved set and sorted by name, then value;
/// - header values are trimmed and inner whitespace runs collapsed; repeated headers are joined with `,`.
enum SigV4Canonical {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"

    /// Headers botocore never signs: hop-by-hop headers a proxy may rewrite, and the user agent it edits after signing.
    static let unsignableHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The sorted, lower-case, de-duplicated names a signer signs for `headers`.
    static func signableHeaderNames(_ headers: [HTTPHeader]) -> [String] {
        let names = Set(headers.map { $0.name.lowercased().trimmingCharacters(in: .whitespaces) }).subtracting(unsignableHeaders)
        return names.sorted(by: utf8Less)
    }

    /// The canonical request over exactly `signedHeaders` (lower-case, in the order given).
    static func canonicalRequest(_ request: SigV4Request, signedHeaders: [String], payloadHash: String) -> String {
        var lines = [request.method.uppercased(), canonicalURI(request.path), canonicalQuery(request.query)]
        for name in signedHeaders {
            let values = request.headers.values(named: name).map(trimAll)
            lines.append(name + ":" + values.joined(separator: ","))
        }
        lines.append("")
        lines.append(signedHeaders.joined(separator: ";"))
        lines.append(payloadHash)
        return lines.joined(separator: "\n")
    }

    static func canonicalURI(_ rawPath: String) -> String {
        AWSURIEncoding.encode(removeDotSegments(rawPath.isEmpty ? "/" : rawPath), keepingSlashes: true)
    }

    /// RFC 3986 §5.2.4 plus the removal of empty segments (`//`), as botocore's `remove_dot_segments`.
    static func removeDotSegments(_ path: String) -> String {
        var output = [Substring]()
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = output.popLast()
            default: output.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return leading + output.joined(separator: "/") + trailing
    }

    static func canonicalQuery(_ rawQuery: String) -> String {
        guard !rawQuery.isEmpty else { return "" }
        let pairs = rawQuery.split(separator: "&", omittingEmptySubsequences: false).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = AWSURIEncoding.encode(AWSURIEncoding.decode(parts[0]))
            let value = parts.count > 1 ? AWSURIEncoding.encode(AWSURIEncoding.decode(parts[1])) : ""
            return (name, value)
        }
        let sorted = pairs.sorted { $0.0 == $1.0 ? utf8Less($0.1, $1.1) : utf8Less($0.0, $1.0) }
        return sorted.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    static func credentialScope(date: String, region: String, service: String) -> String {
        [String(date.prefix(8)), region, service, terminator].joined(separator: "/")
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, SHA256.hash(data: Data(canonicalRequest.utf8)).hexString].joined(separator: "\n")
    }

    static func signature(secret: String, amzDate: String, region: String, service: String, stringToSign: String) -> String {
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [String(amzDate.prefix(8)), region, service, terminator] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    /// Python's `' '.join(value.split())`: trim, and collapse every whitespace run to one space.
    static func trimAll(_ value: String) -> String {
        value.unicodeScalars.split(whereSeparator: isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// `str.isspace` in Python, which botocore's trimming uses: Unicode white space plus the ASCII separators 0x1C-0x1F.
    private static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// Byte-wise order, which is what Python's `sorted` gives for the ASCII strings involved.
    static func utf8Less(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
