import SwitchboardCore
import ContactEngine
import Foundation
import Hummingbird
import HummingbirdWebSocket
import RedisClient
import Synchronization

/// The WebRTC signaling relay `/signaling/<MeetingId>` (docs/agent-api.md). Presence is a Redis hash per meeting and
/// every frame goes to the topic `meeting:<id>` through the socket hub, so the customer and the agent may be on different nodes.
struct SignalingSocket: Sendable {
    let engine: LocalContactEngine
    let frames: HubFrameSink

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws("/signaling/:meetingId", onUpgrade: { inbound, outbound, context in
            let meetingId = context.requestContext.parameters.get("meetingId") ?? ""
            let joined = JoinedAttendee()
            try await frames.hub.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes, sink: frames,
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

        var peer: MeetingPeer { MeetingPeer(attendeeId: attendeeId, role: role) }
    }

    func handle(meetingId: String, id: String, reply: AsyncStream<SocketOutput>.Continuation, text: String,
                joined: JoinedAttendee) async {
        func send(_ frame: some Encodable) { reply.yield(.frame(Wire.encode(frame))) }
        guard let frame = try? Wire.decode(SignalingAction.self, from: text) else {
            send(ErrorFrame("INVALID_FRAME", "frames are JSON objects with an \"action\""))
            return
        }
        let action = frame.action
        let topic = SocketTopic.meeting(meetingId)
        do {
            switch action {
            case "join":
                guard joined.value == nil else {
                    send(ErrorFrame("INVALID_REQUEST", "already joined"))
                    return
                }
                guard let attendee = try await attendee(meetingId: meetingId, token: frame.joinToken ?? "", connection: id) else {
                    send(ErrorFrame("UNAUTHORIZED", "the join token is not valid for this meeting, or the call has ended"))
                    reply.yield(.close(1008, "join refused"))
                    return
                }
                joined.value = attendee
                try await frames.join(id, topic: topic)
                let peersKey = engine.keys.meetingPeers(meetingId)
                let replies = try await engine.redis.pipeline([
                    RedisCommand("HSET", peersKey, attendee.attendeeId, attendee.presence),
                    RedisCommand("EXPIRE", peersKey, String(engine.tokenTtlSeconds)),
                    RedisCommand("HGETALL", peersKey),
                ])
                let peers = replies[2].stringMap.filter { $0.key != attendee.attendeeId }.sorted { $0.key < $1.key }.map { peer in
                    MeetingPeer(attendeeId: peer.key, role: String(peer.value.split(separator: " ").first ?? ""))
                }
                send(JoinedFrame(attendeeId: attendee.attendeeId, role: attendee.role, iceServers: engine.config.webrtc.iceServers, peers: peers))
                try await frames.send(PeerFrame(type: "peer_joined", peer: attendee.peer), to: topic, exceptConnection: id)
            case "signal":
                guard let attendee = joined.value else {
                    send(ErrorFrame("INVALID_REQUEST", "join first"))
                    return
                }
                guard let data = frame.data, data.isObject else {
                    send(ErrorFrame("INVALID_REQUEST", "\"data\" must be an object"))
                    return
                }
                try await frames.send(RelayedSignal(from: attendee.attendeeId, data: data), to: topic, exceptConnection: id)
            default:
                send(ErrorFrame("INVALID_REQUEST", "unknown action \(action); use join or signal"))
            }
        } catch {
            engine.logger.error("signaling frame failed", metadata: ["action": "\(action)", "error": "\(error)"])
            send(ErrorFrame("SERVICE_UNAVAILABLE", "could not do \(action) now; try again"))
        }
    }

    /// The attendee a join token names, if it is for this meeting and the voice contact is still going. The same token
    /// works again after a reload or a server restart (only its hash is stored, with the token's lifetime).
    func attendee(meetingId: String, token: String, connection: String) async throws -> Attendee? {
        guard !token.isEmpty, token.utf8.count <= 512,
              let value = try await engine.redis.get(engine.keys.joinToken(LocalContactEngine.hash(token))) else { return nil }
        let parts = value.split(separator: " ").map(String.init)
        guard parts.count == 4, parts[0] == meetingId, let contact = try await engine.contact(id: parts[3]), !contact.isEnded else { return nil }
        return Attendee(attendeeId: parts[1], role: parts[2], presence: "\(parts[2]) \(frames.nodeId) \(connection)")
    }

    /// The socket closed: unless the attendee already joined again elsewhere, it leaves and the others hear `peer_left`.
    func leave(meetingId: String, attendee: Attendee, id: String) async {
        do {
            let removed = try await engine.redis.evalScript(engine.scripts[.meetingLeave], keys: [engine.keys.meetingPeers(meetingId)],
                                                            args: [.string(attendee.attendeeId), .string(attendee.presence)]).int
            if removed == 1 {
                try await frames.send(PeerFrame(type: "peer_left", peer: attendee.peer), to: .meeting(meetingId))
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
