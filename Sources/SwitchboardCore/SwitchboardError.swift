import HTTPTypes

/// The one error type of Switchboard: what a client is answered (`{"error":{"code","message"}}` with a status,
/// SPEC §3, or a WebSocket error frame), and what stops a node at start-up (`CONFIG`, `INTERNAL`).
public struct SwitchboardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Machine-readable code, e.g. `INVALID_REQUEST`.
    public var code: String
    /// Words for a person.
    public var message: String
    /// Extra headers, e.g. `Retry-After`.
    public var headers: HTTPFields = [:]

    /// Makes an error.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// 400 INVALID_REQUEST.
    public static func invalid(_ message: String) -> SwitchboardError { SwitchboardError(.badRequest, "INVALID_REQUEST", message) }
    /// 404 NOT_FOUND.
    public static func notFound(_ message: String) -> SwitchboardError { SwitchboardError(.notFound, "NOT_FOUND", message) }
    /// 401 UNAUTHORIZED.
    public static func unauthorized(_ message: String) -> SwitchboardError { SwitchboardError(.unauthorized, "UNAUTHORIZED", message) }
    /// 503 SERVICE_UNAVAILABLE.
    public static func unavailable(_ message: String) -> SwitchboardError {
        SwitchboardError(.serviceUnavailable, "SERVICE_UNAVAILABLE", message)
    }
    /// config.json or a flag is wrong; the message names the key.
    public static func config(_ message: String) -> SwitchboardError { SwitchboardError(.internalServerError, "CONFIG", message) }
    /// Something the product relies on is broken (a Lua script missing, a reply of the wrong shape).
    public static func `internal`(_ message: String) -> SwitchboardError { SwitchboardError(.internalServerError, "INTERNAL", message) }

    /// Text for the operator.
    public var description: String {
        switch code {
        case "CONFIG": "config.json: \(message)"
        case "INTERNAL": "internal error: \(message)"
        default: "\(code): \(message)"
        }
    }
}
