import SwitchboardCore
import ContactEngine
import Hummingbird

/// Serves `web/` (site at `/`, widget, shared modules, agent app at `/agent/`) and `GET /widget-config`.
struct WebController: Sendable {
    let connect: ConnectConfig

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("widget-config", use: widgetConfig)
    }

    /// Where the widget's Participant Service calls go: this server in local mode (as the browser reached it, so a load
    /// balancer's address works), Amazon Connect in AWS mode.
    @Sendable func widgetConfig(request: Request, context: AppRequestContext) async throws -> Response {
        let endpoint: String
        if connect.mode == "aws" {
            endpoint = connect.participantEndpoint
        } else {
            let host = request.head.authority ?? "127.0.0.1"
            let scheme = request.headers[.init("X-Forwarded-Proto")!] ?? "http"
            endpoint = "\(scheme)://\(host)/connect"
        }
        return try jsonResponse(["mode": connect.mode, "participantEndpoint": endpoint, "region": connect.region])
    }

    /// File middleware for `web/`; `/` is answered with the site's page. In AWS mode the agent app is not served:
    /// agents work in Amazon Connect's workspace, and the app's API is not mounted.
    static func files(root: String, mode: String) -> some RouterMiddleware<AppRequestContext> {
        RootPage(files: FileMiddleware(root, cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true),
                 servesAgentApp: mode != "aws")
    }

    /// `/` → `/site/index.html`; everything else straight to the file middleware.
    struct RootPage<Files: RouterMiddleware<AppRequestContext>>: RouterMiddleware {
        let files: Files
        let servesAgentApp: Bool
        func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
            if !servesAgentApp, request.uri.path == "/agent" || request.uri.path.hasPrefix("/agent/") { return try await next(request, context) }
            guard request.uri.path == "/" || request.uri.path == "/index.html" else { return try await files.handle(request, context: context, next: next) }
            var head = request.head
            head.path = "/site/index.html"
            return try await files.handle(Request(head: head, body: request.body), context: context, next: next)
        }
    }
}
