import Foundation
import Hummingbird
import HummingbirdWebSocket
import RedisClient
import Synchronization

/// The WebRTC signaling relay `/signaling/<MeetingId>` (docs/agent-api.md). Presence is a Redis hash per meeting and
/// every frame goes through the engine bus, so the customer and the agent may be on different nodes.
struct SignalingSocket: Sendable {
    let engine: LocalContactEngine
    let sockets: EngineSockets

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws("/signaling/:meetingId", onUpgrade: { inbound, outbound, context in
            let meetingId = context.requestContext.parameters.get("meetingId") ?? ""
            let joined = JoinedAttendee()
            try await sockets.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes,
                                    authTimeout: .seconds(engine.config.security.socketAuthTimeoutSeconds),
                                    authenticated: { joined.value != nil },
                                    onText: { id, reply, text in
                                        await handle(meetingId: meetingId, id: id, reply: reply, text: text, joined: joined)
                                    },
                                    onClose: { id in
                                        guard let attendee = joined.value else { return }
                                        await leave(meetingId: meetingId, attendee: attendee, id: id)
                                    })
        })
    }

    /// Who a socket joined as.
    struct Attendee: Sendable {
        var attendeeId: String
        var role: String
        /// The presence value this socket registered, `<role> <nodeId> <connectionId>`.
        var presence: String
    }

    func handle(meetingId: String, id: Int, reply: AsyncStream<EngineSockets.Outbound>.Continuation, text: String,
                joined: JoinedAttendee) async {
        guard let frame = Frame.parse(text), let action = frame["action"] as? String else {
            reply.yield(.text(Frame.error("INVALID_FRAME", "frames are JSON objects with an \"action\"")))
            return
        }
        let topic = LocalContactEngine.meetingTopic(meetingId)
        do {
            switch action {
            case "join":
                guard joined.value == nil else {
                    reply.yield(.text(Frame.error("INVALID_REQUEST", "already joined")))
                    return
                }
                guard let attendee = try await attendee(meetingId: meetingId, token: frame["joinToken"] as? String ?? "", connection: id) else {
                    reply.yield(.text(Frame.error("UNAUTHORIZED", "the join token is not valid for this meeting, or the call has ended")))
                    reply.yield(.close(1008, "join refused"))
                    return
                }
                joined.value = attendee
                sockets.join(id, topic: topic)
                let peersKey = engine.keys.meetingPeers(meetingId)
                let replies = try await engine.redis.pipeline([
                    RedisCommand("HSET", peersKey, attendee.attendeeId, attendee.presence),
                    RedisCommand("EXPIRE", peersKey, String(engine.tokenTtlSeconds)),
                    RedisCommand("HGETALL", peersKey),
                ])
                let peers = replies[2].stringMap.filter { $0.key != attendee.attendeeId }.sorted { $0.key < $1.key }.map { peer in
                    ["attendeeId": peer.key, "role": String(peer.value.split(separator: " ").first ?? "")]
                }
                let iceServers = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(engine.config.webrtc.iceServers))) ?? []
                reply.yield(.text(Frame.text(["type": "joined", "attendeeId": attendee.attendeeId, "role": attendee.role,
                                              "iceServers": iceServers, "peers": peers])))
                try await engine.bus.publish(topic: topic, text: Frame.text(["type": "peer_joined", "attendeeId": attendee.attendeeId,
                                                                             "role": attendee.role]), exceptConnection: id)
            case "signal":
                guard let attendee = joined.value else {
                    reply.yield(.text(Frame.error("INVALID_REQUEST", "join first")))
                    return
                }
                guard let data = frame["data"] as? [String: Any] else {
                    reply.yield(.text(Frame.error("INVALID_REQUEST", "\"data\" must be an object")))
                    return
                }
                try await engine.bus.publish(topic: topic, text: Frame.text(["type": "signal", "from": attendee.attendeeId, "data": data]),
                                             exceptConnection: id)
            default:
                reply.yield(.text(Frame.error("INVALID_REQUEST", "unknown action \(action); use join or signal")))
            }
        } catch {
            engine.logger.error("signaling frame failed", metadata: ["action": "\(action)", "error": "\(error)"])
            reply.yield(.text(Frame.error("SERVICE_UNAVAILABLE", "could not do \(action) now; try again")))
        }
    }

    /// The attendee a join token names, if it is for this meeting and the voice contact is still going. The same token
    /// works again after a reload or a server restart (only its hash is stored, with the token's lifetime).
    func attendee(meetingId: String, token: String, connection: Int) async throws -> Attendee? {
        guard !token.isEmpty, token.utf8.count <= 512,
              let value = try await engine.redis.get(engine.keys.joinToken(LocalContactEngine.hash(token))) else { return nil }
        let parts = value.split(separator: " ").map(String.init)
        guard parts.count == 4, parts[0] == meetingId, let contact = try await engine.contact(id: parts[3]), !contact.isEnded else { return nil }
        return Attendee(attendeeId: parts[1], role: parts[2], presence: "\(parts[2]) \(engine.bus.nodeId) \(connection)")
    }

    /// The socket closed: unless the attendee already joined again elsewhere, it leaves and the others hear `peer_left`.
    func leave(meetingId: String, attendee: Attendee, id: Int) async {
        do {
            let removed = try await engine.redis.evalScript(engine.scripts[.meetingLeave], keys: [engine.keys.meetingPeers(meetingId)],
                                                            args: [.string(attendee.attendeeId), .string(attendee.presence)]).int
            if removed == 1 {
                try await engine.bus.publish(topic: LocalContactEngine.meetingTopic(meetingId),
                                             text: Frame.text(["type": "peer_left", "attendeeId": attendee.attendeeId, "role": attendee.role]))
            }
        } catch {
            engine.logger.error("could not record a peer leaving", metadata: ["meeting": "\(meetingId)", "error": "\(error)"])
        }
    }
}

/// The attendee one signaling socket joined as (set once by its `join` frame, read when it closes).
final class JoinedAttendee: Sendable {
    private let state = Mutex<SignalingSocket.Attendee?>(nil)
    var value: SignalingSocket.Attendee? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
