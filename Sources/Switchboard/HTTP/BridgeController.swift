import ConnectWire
import SwitchboardCore
import ContactEngine
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /bridge/events` (SPEC §5): what an EventBridge API destination calls to feed the contact-event stream.
struct BridgeController: Sendable {
    let events: EventLog
    let apiKey: String
    let security: SecurityConfig
    /// `security.rateLimits.bridgeAuthFailuresPerMinutePerIp`.
    let failures: RateLimiter
    let clientAddress: ClientAddress

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("bridge/events", use: ingest)
    }

    @Sendable func ingest(request: Request, context: AppRequestContext) async throws -> Response {
        // An address that spent its failures is refused before its key is looked at, so guessing stops there.
        let client = clientAddress.of(request, context: context)
        try await failures.refuseIfSpent("bridge-auth-failure", ip: client)
        do {
            try Self.authorize(request, apiKey: apiKey)
        } catch {
            try await failures.check("bridge-auth-failure", ip: client)
            throw error
        }
        let body = try await request.body.collect(upTo: security.maxBridgeBodyBytes)
        let texts = try EventLog.validateBatch(Array(body.readableBytesView), maxBatch: security.maxBridgeBatch)
        try await events.append(texts)
        return try jsonResponse(["accepted": texts.count], status: .accepted)
    }

    /// Lets the request through only with the bridge key in `X-Switchboard-Bridge-Key` (401 otherwise).
    static func authorize(_ request: Request, apiKey: String) throws {
        guard let key = request.headers[HTTPField.Name("X-Switchboard-Bridge-Key")!], ByteEncoding.secretsEqual(key, apiKey) else {
            throw SwitchboardError.unauthorized("missing or wrong X-Switchboard-Bridge-Key")
        }
    }
}
