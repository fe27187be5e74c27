import Foundation
import Hummingbird
import NIOCore
import RedisClient
import SwitchboardCore

extension SwitchboardError: HTTPResponseError {
    /// Renders `{"error":{"code","message"}}`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? Wire.data(ErrorBody(self))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps any error to what the client should see; unknown errors become 500 without internals.
    static func from(_ error: any Error) -> SwitchboardError {
        switch error {
        case let error as SwitchboardError:
            return error
        case let error as RedisError where [.unavailable, .connectionClosed, .timeout, .shutdown].contains(error.code):
            return .unavailable("the service's data store is unreachable; try again shortly")
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return SwitchboardError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "request body is too large")
            case .notFound: return .notFound(error.body ?? "no such resource")
            case .badRequest: return .invalid(error.body ?? "bad request")
            case .unauthorized: return .unauthorized(error.body ?? "unauthorized")
            default:
                return SwitchboardError(error.status, error.status.code >= 500 ? "INTERNAL" : "INVALID_REQUEST", error.body ?? error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return SwitchboardError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "request body is too large")
        case is DecodingError:
            return .invalid("request body is not the expected JSON")
        default:
            return SwitchboardError(.internalServerError, "INTERNAL", "internal error")
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
        let apiError = SwitchboardError.from(error)
        if apiError.status.code >= 500 {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
        }
        return try apiError.response(from: request, context: context)
    }
}
