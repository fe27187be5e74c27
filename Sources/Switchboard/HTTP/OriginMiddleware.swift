import SwitchboardCore
import ContactEngine
import Hummingbird

/// Serves a request carrying `Origin` only if the origin is allowed, and answers CORS for those (SPEC §3).
/// Requests without `Origin` (servers, SDKs, load tools) pass.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard allowed.contains(origin) else {
            throw SwitchboardError(.forbidden, "UNAUTHORIZED", "origin \(origin) is not allowed")
        }
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] =
                request.headers[.accessControlRequestHeaders] ?? "content-type, authorization, x-amz-bearer"
            response.headers[.accessControlMaxAge] = "600"
            add(origin, to: &response)
            return response
        }
        // Errors too carry the CORS headers, or a cross-origin widget could not read a 429 or a 400.
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try JSONErrorMiddleware<Context>.render(error, request: request, context: context)
        }
        add(origin, to: &response)
        return response
    }

    private func add(_ origin: String, to response: inout Response) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
    }
}
