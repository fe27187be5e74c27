import ConnectWire
import Hummingbird
import HummingbirdWebSocket

/// The participant WebSocket (`Websocket.Url` of CreateParticipantConnection), speaking Amazon Connect's framing:
/// `aws/subscribe` → success, `aws/heartbeat` echoed, `aws/ping` echoed with `statusCode: 200`, chat items pushed as
/// `aws/chat` frames (from the engine bus, so they reach this socket whichever node produced them).
struct ParticipantSocket: Sendable {
    let engine: LocalContactEngine
    let sockets: EngineSockets
    static let path = "/connect/participant/ws"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws(RouterPath(Self.path), shouldUpgrade: { request, _ in
            // Refuse a bad token at the upgrade (403 JSON), so the client sees it before any frame.
            let token = request.uri.queryParameters.get("token") ?? ""
            do {
                _ = try await engine.participant(token: token, kind: .socket)
            } catch is ConnectWireError {
                throw APIError(.forbidden, "UNAUTHORIZED", "the connection token is not valid, has expired, or its contact has ended")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let token = context.request.uri.queryParameters.get("token") ?? ""
            guard let (_, contact) = try? await engine.participant(token: token, kind: .socket) else {
                try await outbound.close(.policyViolation, reason: "participant no longer active")
                return
            }
            try await sockets.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes) { id, reply, text in
                sockets.join(id, topic: LocalContactEngine.contactTopic(contact.id))
                reply.yield(.text(Self.answer(text)))
            }
        })
    }

    /// The reply to one client frame.
    static func answer(_ text: String) -> String {
        guard let frame = Frame.parse(text), let topic = frame["topic"] as? String else {
            return Frame.error("INVALID_FRAME", "frames are JSON objects with a \"topic\"")
        }
        switch topic {
        case "aws/subscribe":
            let topics = ((frame["content"] as? [String: Any])?["topics"] as? [String]) ?? ["aws/chat"]
            return Frame.text(["topic": "aws/subscribe", "content": ["status": "success", "topics": topics]])
        case "aws/heartbeat":
            return Frame.text(["topic": "aws/heartbeat"])
        case "aws/ping":
            return Frame.text(["topic": "aws/ping", "statusCode": 200, "statusContent": "OK"])
        default:
            return Frame.error("UNKNOWN_TOPIC", "unknown topic \(topic); use aws/subscribe, aws/heartbeat or aws/ping")
        }
    }
}
