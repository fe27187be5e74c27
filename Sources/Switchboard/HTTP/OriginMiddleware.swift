import SwitchboardCore
import Hummingbird

/// SPEC §3's origin rule, the part Hummingbird's `CORSMiddleware` does not do: a request (or WebSocket upgrade) carrying
/// an `Origin` that is not in `security.allowedOrigins` is refused with 403; requests without `Origin` (servers, SDKs,
/// load tools) pass. The CORS headers of allowed origins, errors included, are `CORSMiddleware`'s (`.originBased`, which
/// only ever sees allowed origins), placed inside this one and outside the JSON error middleware.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], !allowed.contains(origin) else { return try await next(request, context) }
        return try SwitchboardError(.forbidden, "UNAUTHORIZED", "origin \(origin) is not allowed").response(from: request, context: context)
    }
}
