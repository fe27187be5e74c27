import Foundation
import Hummingbird
import NIOCore
import RedisClient

/// An error answered to an HTTP client as `{"error":{"code","message"}}` (SPEC §3).
public struct APIError: Error, HTTPResponseError, Sendable {
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
    public static func invalid(_ message: String) -> APIError { APIError(.badRequest, "INVALID_REQUEST", message) }
    /// 404 NOT_FOUND.
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "NOT_FOUND", message) }
    /// 401 UNAUTHORIZED.
    public static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, "UNAUTHORIZED", message) }
    /// 503 SERVICE_UNAVAILABLE.
    public static func unavailable(_ message: String) -> APIError { APIError(.serviceUnavailable, "SERVICE_UNAVAILABLE", message) }

    /// The JSON body.
    public var body: [String: [String: String]] { ["error": ["code": code, "message": message]] }

    /// Renders the JSON error.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps any error to what the client should see; unknown errors become 500 without internals.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as RedisError where [.unavailable, .connectionClosed, .timeout, .shutdown].contains(error.code):
            return .unavailable("the service's data store is unreachable; try again shortly")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return APIError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "request body is too large")
            case .notFound: return .notFound(error.body ?? "no such resource")
            case .badRequest: return .invalid(error.body ?? "bad request")
            case .unauthorized: return .unauthorized(error.body ?? "unauthorized")
            default: return APIError(error.status, error.status.code >= 500 ? "INTERNAL" : "INVALID_REQUEST", error.body ?? error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "request body is too large")
        case is DecodingError:
            return .invalid("request body is not the expected JSON")
        default:
            return APIError(.internalServerError, "INTERNAL", "internal error")
        }
    }
}

/// Turns every error a route throws into SPEC §3's JSON error shape.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.render(error, request: request, context: context)
        }
    }

    /// The JSON error response for `error`; server faults are logged.
    static func render(_ error: any Error, request: Request, context: Context) throws -> Response {
        let apiError = APIError.from(error)
        if apiError.status.code >= 500 {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
        }
        return try apiError.response(from: request, context: context)
    }
}
