import SwitchboardCore
import ContactEngine
import Foundation
import Hummingbird

/// `POST /bridge/events` (SPEC §5): what an EventBridge API destination calls to feed the contact-event stream.
struct BridgeController: Sendable {
    let events: EventLog
    let key: BridgeKeyGuard
    let security: SecurityConfig

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("bridge/events", use: ingest)
    }

    @Sendable func ingest(request: Request, context: AppRequestContext) async throws -> Response {
        try await key.authorize(request, context: context)
        let body = try await request.body.collect(upTo: security.maxBridgeBodyBytes)
        let texts = try EventLog.validateBatch(Array(body.readableBytesView), maxBatch: security.maxBridgeBatch)
        try await events.append(texts)
        return try jsonResponse(["accepted": texts.count], status: .accepted)
    }
}
