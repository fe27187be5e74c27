import SwitchboardCore
import ContactEngine
import ConnectWire
import Hummingbird
import HummingbirdWebSocket

/// The participant WebSocket (`Websocket.Url` of CreateParticipantConnection), speaking Amazon Connect's framing:
/// `aws/subscribe` → success, `aws/heartbeat` echoed, `aws/ping` echoed with `statusCode: 200`, chat items pushed as
/// `aws/chat` frames (sent to the topic `contact:<id>`, so they reach this socket whichever node produced them).
struct ParticipantSocket: Sendable {
    let engine: LocalContactEngine
    let frames: HubFrameSink
    static let path = "/connect/participant/ws"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws(RouterPath(Self.path), shouldUpgrade: { request, _ in
            // Refuse a bad token at the upgrade (403 JSON), so the client sees it before any frame.
            let token = request.uri.queryParameters.get("token") ?? ""
            do {
                _ = try await engine.participant(token: token, kind: .socket)
            } catch is ConnectWireError {
                throw SwitchboardError(.forbidden, "UNAUTHORIZED", "the connection token is not valid, has expired, or its contact has ended")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let token = context.request.uri.queryParameters.get("token") ?? ""
            guard let (_, contact) = try? await engine.participant(token: token, kind: .socket) else {
                try await outbound.close(.policyViolation, reason: "participant no longer active")
                return
            }
            try await frames.hub.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes,
                                       sink: frames) { id, reply, text in
                try await frames.join(id, topic: .contact(contact.id))
                reply.yield(.frame(Self.answer(text)))
            }
        })
    }

    /// The reply to one client frame.
    static func answer(_ text: String) -> String {
        guard let frame = try? Wire.decode(ParticipantFrame.self, from: text) else {
            return Wire.encode(ErrorFrame("INVALID_FRAME", "frames are JSON objects with a \"topic\""))
        }
        switch frame.topic {
        case "aws/subscribe":
            var topics = ["aws/chat"]
            if case .subscription(let subscription) = frame.content, let asked = subscription.topics { topics = asked }
            return Wire.encode(ParticipantFrame(topic: "aws/subscribe", content: .subscription(ParticipantFrame.Subscription(status: "success", topics: topics))))
        case "aws/heartbeat":
            return Wire.encode(ParticipantFrame(topic: "aws/heartbeat"))
        case "aws/ping":
            return Wire.encode(ParticipantFrame(topic: "aws/ping", statusCode: 200, statusContent: "OK"))
        default:
            return Wire.encode(ErrorFrame("UNKNOWN_TOPIC", "unknown topic \(frame.topic); use aws/subscribe, aws/heartbeat or aws/ping"))
        }
    }
}
