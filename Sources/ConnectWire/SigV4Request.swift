import Crypto
import Foundation

/// The parts of an HTTP request that SigV4 covers, as they appear on the wire.
///
/// `path` and `query` are the raw, already percent-encoded strings of the request line (`/connect/contacts/a%20b`,
/// `a=1&b=x%2Fy`), not decoded values: the canonical request is built from what was sent, and decoding first would
/// lose the difference between `/` and `%2F`.
public struct SigV4Request: Sendable, Hashable {
    /// The SHA-256 of an empty body, which GET requests sign.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The `x-amz-content-sha256` value that opts out of signing the body.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The HTTP method, e.g. `PUT`.
    public var method: String
    /// The raw path including any base path, e.g. `/connect/contact/chat`.
    public var path: String
    /// The raw query string without the leading `?`; empty when there is none.
    public var query: String
    /// The headers; signing needs `Host` among them (SigV4 always signs it).
    public var headers: [HTTPHeader]
    /// Lower-case hex SHA-256 of the body.
    public var payloadHash: String

    /// Creates a request whose body hash is already known.
    public init(method: String, path: String, query: String = "", headers: [HTTPHeader], payloadHash: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// Creates a request, hashing `body`.
    public init(method: String, path: String, query: String = "", headers: [HTTPHeader], body: some DataProtocol) {
        self.init(method: method, path: path, query: query, headers: headers, payloadHash: Self.sha256Hex(body))
    }

    /// Creates a request from `(name, value)` header pairs, hashing `body`.
    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: some DataProtocol) {
        self.init(method: method, path: path, query: query, headers: headers.map { HTTPHeader($0.name, $0.value) }, body: body)
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).hexString
    }
}
